import type {
  Comment,
  CommentLikeState,
  CommentPage,
  CommentThread,
  ReplyPage,
} from '@binge/core/protocol/discussion';

/**
 * The comments drawer's model: top-level comments in page order, each with the replies loaded so
 * far. Pure, so the merge rules are tested here and the component only renders.
 *
 * - The `hot` order may serve a comment again on a later page when its likes changed between two
 *   reads (GET /episodes/{id}/comments says so): ids already shown are dropped.
 * - A thread comes with its first replies inline; "more replies" pages from the oldest too, so the
 *   first page repeats them: replies merge by id, oldest first.
 * - A comment posted here shows at once (top-level first, a reply at the end of its thread).
 */
export interface ThreadView {
  readonly comment: Comment;
  readonly replies: readonly Comment[];
  /** nextCursor of the replies endpoint; null before the first page or at the end. */
  readonly replyCursor: string | null;
  /** Whether a replies page was read (after which a null cursor means the end). */
  readonly repliesPaged: boolean;
}

export function threadOf(thread: CommentThread): ThreadView {
  const { firstReplies, ...comment } = thread;
  return { comment, replies: firstReplies, replyCursor: null, repliesPaged: false };
}

export function appendCommentPage(threads: readonly ThreadView[], page: CommentPage): ThreadView[] {
  const seen = new Set(threads.map((thread) => thread.comment.id));
  const added: ThreadView[] = [];
  for (const item of page.items) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    added.push(threadOf(item));
  }
  return [...threads, ...added];
}

/** Whether the thread holds replies not yet loaded. */
export function hasMoreReplies(thread: ThreadView): boolean {
  if (thread.repliesPaged) return thread.replyCursor !== null;
  return thread.comment.replies > thread.replies.length;
}

function mergeReplies(existing: readonly Comment[], incoming: readonly Comment[]): Comment[] {
  const byId = new Map(existing.map((reply) => [reply.id, reply]));
  for (const reply of incoming) byId.set(reply.id, reply);
  return [...byId.values()].sort((a, b) => compareIds(a.id, b.id));
}

/** Comment ids are decimal bigserials: compare them as numbers without losing digits. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function updateThread(
  threads: readonly ThreadView[],
  id: string,
  change: (thread: ThreadView) => ThreadView | null,
): ThreadView[] {
  const next: ThreadView[] = [];
  for (const thread of threads) {
    if (thread.comment.id !== id) next.push(thread);
    else {
      const changed = change(thread);
      if (changed !== null) next.push(changed);
    }
  }
  return next;
}

export function appendReplies(
  threads: readonly ThreadView[],
  parentId: string,
  page: ReplyPage,
): ThreadView[] {
  return updateThread(threads, parentId, (thread) => ({
    ...thread,
    replies: mergeReplies(thread.replies, page.items),
    replyCursor: page.nextCursor,
    repliesPaged: true,
  }));
}

/** A comment this viewer just posted (201) or got back from a retry (200). */
export function addPosted(threads: readonly ThreadView[], comment: Comment): ThreadView[] {
  if (comment.parentId === null) {
    if (threads.some((thread) => thread.comment.id === comment.id)) return [...threads];
    return [{ comment, replies: [], replyCursor: null, repliesPaged: false }, ...threads];
  }
  return updateThread(threads, comment.parentId, (thread) => {
    if (thread.replies.some((reply) => reply.id === comment.id)) return thread;
    return {
      ...thread,
      comment: { ...thread.comment, replies: thread.comment.replies + 1 },
      replies: mergeReplies(thread.replies, [comment]),
    };
  });
}

function mapComment(
  threads: readonly ThreadView[],
  id: string,
  change: (comment: Comment) => Comment,
): ThreadView[] {
  return threads.map((thread) => {
    if (thread.comment.id === id) return { ...thread, comment: change(thread.comment) };
    if (!thread.replies.some((reply) => reply.id === id)) return thread;
    return {
      ...thread,
      replies: thread.replies.map((reply) => (reply.id === id ? change(reply) : reply)),
    };
  });
}

/** The like state the API answered (set semantics: it is the truth, whatever was shown). */
export function applyLike(
  threads: readonly ThreadView[],
  id: string,
  state: CommentLikeState,
): ThreadView[] {
  return mapComment(threads, id, (comment) => ({
    ...comment,
    likedByMe: state.liked,
    likes: state.likes,
  }));
}

/** The optimistic flip shown while the request is under way. */
export function toggleLikeOptimistic(threads: readonly ThreadView[], id: string): ThreadView[] {
  return mapComment(threads, id, (comment) => {
    const liked = !(comment.likedByMe ?? false);
    return { ...comment, likedByMe: liked, likes: Math.max(0, comment.likes + (liked ? 1 : -1)) };
  });
}

export function findComment(threads: readonly ThreadView[], id: string): Comment | null {
  for (const thread of threads) {
    if (thread.comment.id === id) return thread.comment;
    const reply = thread.replies.find((item) => item.id === id);
    if (reply) return reply;
  }
  return null;
}

/**
 * A comment deleted here. As the API lists it afterwards: a top-level comment with replies stays
 * as a placeholder for them; otherwise it leaves, and a reply leaves its thread's count.
 */
export function removeComment(threads: readonly ThreadView[], id: string): ThreadView[] {
  const top = threads.find((thread) => thread.comment.id === id);
  if (top) {
    return updateThread(threads, id, (thread) =>
      thread.comment.replies > 0 || thread.replies.length > 0
        ? { ...thread, comment: { ...thread.comment, author: null, body: null, status: 'deleted' } }
        : null,
    );
  }
  return threads.map((thread) => {
    if (!thread.replies.some((reply) => reply.id === id)) return thread;
    return {
      ...thread,
      comment: { ...thread.comment, replies: Math.max(0, thread.comment.replies - 1) },
      replies: thread.replies.filter((reply) => reply.id !== id),
    };
  });
}
