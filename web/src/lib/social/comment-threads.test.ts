import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Comment, CommentThread } from '@binge/core/protocol/discussion';
import {
  addPosted,
  appendCommentPage,
  appendReplies,
  applyLike,
  compareIds,
  hasMoreReplies,
  removeComment,
  toggleLikeOptimistic,
  type ThreadView,
} from './comment-threads.ts';

function comment(id: string, extra: Partial<Comment> = {}): Comment {
  return {
    id,
    episodeId: 7,
    parentId: null,
    replyToUserId: null,
    author: { id: 1, displayName: 'A', avatarUrl: null, level: 1 },
    body: `body ${id}`,
    likes: 0,
    replies: 0,
    likedByMe: false,
    createdAt: '2026-01-01T00:00:00Z',
    status: 'visible',
    ...extra,
  };
}

function thread(id: string, replies: Comment[] = [], count = replies.length): CommentThread {
  return { ...comment(id, { replies: count }), firstReplies: replies };
}

test('pages append in order and drop a comment the hot order served again', () => {
  let threads = appendCommentPage([], { items: [thread('9'), thread('8')], nextCursor: 'x' });
  threads = appendCommentPage(threads, { items: [thread('8'), thread('5')], nextCursor: null });
  assert.deepEqual(
    threads.map((t) => t.comment.id),
    ['9', '8', '5'],
  );
});

test('more replies merge with the inline first ones by id, oldest first', () => {
  const r = (id: string) => comment(id, { parentId: '9' });
  let threads: ThreadView[] = appendCommentPage([], {
    items: [thread('9', [r('10'), r('11'), r('12')], 5)],
    nextCursor: null,
  });
  assert.equal(hasMoreReplies(threads[0]!), true);
  threads = appendReplies(threads, '9', { items: [r('10'), r('11'), r('12')], nextCursor: 'p2' });
  assert.equal(hasMoreReplies(threads[0]!), true);
  threads = appendReplies(threads, '9', { items: [r('100'), r('13')], nextCursor: null });
  assert.deepEqual(
    threads[0]!.replies.map((reply) => reply.id),
    ['10', '11', '12', '13', '100'],
  );
  assert.equal(hasMoreReplies(threads[0]!), false);
});

test('a posted comment leads the list; a posted reply joins its thread and its count', () => {
  let threads = appendCommentPage([], { items: [thread('9')], nextCursor: null });
  threads = addPosted(threads, comment('20'));
  threads = addPosted(threads, comment('20'));
  assert.deepEqual(
    threads.map((t) => t.comment.id),
    ['20', '9'],
  );
  threads = addPosted(threads, comment('21', { parentId: '9' }));
  assert.equal(threads[1]!.comment.replies, 1);
  assert.deepEqual(
    threads[1]!.replies.map((reply) => reply.id),
    ['21'],
  );
});

test('likes flip optimistically, then take the answered state', () => {
  let threads = appendCommentPage([], {
    items: [thread('9', [comment('10', { parentId: '9', likes: 2 })])],
    nextCursor: null,
  });
  threads = toggleLikeOptimistic(threads, '10');
  assert.equal(threads[0]!.replies[0]!.likes, 3);
  assert.equal(threads[0]!.replies[0]!.likedByMe, true);
  threads = applyLike(threads, '10', { liked: true, likes: 7 });
  assert.equal(threads[0]!.replies[0]!.likes, 7);
});

test('deleting keeps a placeholder for a thread with replies, removes the rest', () => {
  let threads = appendCommentPage([], {
    items: [thread('9', [comment('10', { parentId: '9' })]), thread('8')],
    nextCursor: null,
  });
  threads = removeComment(threads, '8');
  assert.deepEqual(
    threads.map((t) => t.comment.id),
    ['9'],
  );
  threads = removeComment(threads, '9');
  assert.equal(threads[0]!.comment.status, 'deleted');
  assert.equal(threads[0]!.comment.body, null);
  threads = removeComment(threads, '10');
  assert.equal(threads[0]!.replies.length, 0);
  assert.equal(threads[0]!.comment.replies, 0);
});

test('ids compare as numbers, beyond 2^53 too', () => {
  assert.ok(compareIds('9', '10') < 0);
  assert.ok(compareIds('90071992547409930', '90071992547409929') > 0);
  assert.equal(compareIds('5', '5'), 0);
});
