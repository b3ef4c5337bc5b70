/**
 * Comments on episodes, one level of replies, and comment likes (issue 4, item 5).
 *
 * Counting. `episode_counters.comments`, `series_counters.comments` and a top-level comment's
 * `replies` count the comments that are not `deleted`: a post adds one, the first delete (by the
 * author or an admin) takes it away again, in the transaction that changes the row, so a retried
 * post or a second delete never counts twice. A moderator's `hidden` leaves them alone: moderation
 * flips `status` between `visible` and `hidden` directly and may undo it, and the counts stay right
 * whichever way it goes. `comments.likes` is the size of the comment's like set
 * (`comment_likes`), moved only when a like or unlike changed the set.
 *
 * Orders of a listing (top-level comments; each with its oldest {@link inlineReplies} visible
 * replies):
 * - `new`: id descending, keyset on id. Ids never change, so a walk of pages returns every comment
 *   that existed when it started exactly once, in order, whatever is posted or liked meanwhile
 *   (newer comments arrive at the head, which the walk has left).
 * - `hot`: likes descending, then id descending, keyset on (likes, id). A page is one consistent
 *   read and never holds a comment twice, and new comments never shift later pages. Like counts
 *   move, though: a comment whose likes cross the cursor between two page reads moves across it,
 *   so it is missed by the rest of that walk (it gained likes and moved to pages already read) or
 *   met a second time (it lost likes and moved to pages still ahead). Clients drop ids they hold.
 *
 * Implementation: comment-store-sql.ts; tests in comment-store.test.ts on PGlite and PostgreSQL.
 */
import type { CommentOrder, CommentStatus, DiscussionAuthor } from '../protocol/discussion.ts';

/** Visible replies shown inline under each top-level comment of a listing. */
export const inlineReplies = 3;

export interface CommentRecord {
  id: number;
  episodeId: number;
  parentId: number | null;
  replyToUserId: number | null;
  /** null on a placeholder: a deleted or hidden comment kept for its replies. */
  author: DiscussionAuthor | null;
  /** null on a placeholder. */
  body: string | null;
  likes: number;
  replies: number;
  /** null when read without a viewer. */
  likedByMe: boolean | null;
  createdAt: Date;
  status: CommentStatus;
}

export interface CommentThreadRecord extends CommentRecord {
  firstReplies: CommentRecord[];
}

export type CommentCursor =
  { order: 'new'; id: number } | { order: 'hot'; likes: number; id: number };

export interface CommentListPage {
  items: CommentThreadRecord[];
  /** The position after the last item; null on the last page. */
  next: CommentCursor | null;
}

export interface ReplyListPage {
  items: CommentRecord[];
  /** The id to continue after; null on the last page. */
  next: number | null;
}

export interface NewComment {
  episodeId: number;
  userId: number;
  /** Checked text (protocol/discussion-text.ts) that passed the keyword filter. */
  body: string;
  /** The comment answered: top-level, or a reply (the new one then hangs under its parent). */
  parentId: number | null;
  /** The client's idempotency key, `[A-Za-z0-9_-]{8,64}`. */
  cmid: string;
}

export interface PostedComment {
  comment: CommentRecord;
  /** false when (user, cmid) was already taken: `comment` is the original, as stored. */
  created: boolean;
}

export interface CommentActor {
  userId: number;
  /** Admins may delete anybody's comment. */
  admin: boolean;
}

export interface CommentStore {
  /**
   * Stores a comment, or finds the original of a retried cmid (as it is now, even when deleted).
   * Refuses with DiscussionError: EPISODE_NOT_FOUND (no such episode of a published series),
   * REPLY_TARGET_INVALID (the parent is not a comment of that episode), COMMENT_GONE (the parent,
   * or the reply answered, is deleted or hidden), IDEMPOTENCY_KEY_REUSED (the cmid names a
   * comment on another episode).
   */
  post(input: NewComment): Promise<PostedComment>;
  /**
   * A page of an episode's top-level comments, each with its first replies; comments by users the
   * viewer blocked are left out. EPISODE_NOT_FOUND as for post.
   */
  list(
    episodeId: number,
    options: {
      viewerId: number | null;
      order: CommentOrder;
      after: CommentCursor | null;
      limit: number;
    },
  ): Promise<CommentListPage>;
  /** Visible replies of a top-level comment, oldest first. COMMENT_NOT_FOUND without it. */
  replies(
    parentId: number,
    options: { viewerId: number | null; after: number | null; limit: number },
  ): Promise<ReplyListPage>;
  /**
   * Marks a comment deleted: its author or an admin, else FORBIDDEN; COMMENT_NOT_FOUND without
   * it. Idempotent: deleting a deleted comment succeeds again and changes nothing. Resolves
   * whether this call deleted it.
   */
  remove(commentId: number, actor: CommentActor): Promise<boolean>;
  /**
   * Adds or removes the user's like. Adding refuses a deleted or hidden comment (COMMENT_GONE);
   * removing always works. COMMENT_NOT_FOUND without the comment.
   */
  setLike(
    commentId: number,
    userId: number,
    liked: boolean,
  ): Promise<{ liked: boolean; likes: number }>;
}
