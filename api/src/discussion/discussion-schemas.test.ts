import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Static } from '@fastify/type-provider-typebox';
import type {
  Comment,
  CommentLikeState,
  CommentPage,
  CommentThread,
  NewCommentBody,
  RatingSummary,
  ReplyPage,
  Review,
  ReviewBody,
  ReviewPage,
} from '@binge/core/protocol/discussion';
import type {
  CommentLikeStateSchema,
  CommentPageSchema,
  CommentThreadSchema,
  RatingSummarySchema,
  ReplyPageSchema,
  ReviewPageSchema,
  ReviewSchema,
} from './discussion-schemas.ts';
import { CommentSchema, NewCommentBodySchema, ReviewBodySchema } from './discussion-schemas.ts';

/** Compiles only when A and B are the same type (both directions, optionality included). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T) {}

// `npm run typecheck` fails here if a schema drifts from core/src/protocol/discussion.ts.
assertType<Equal<Static<typeof CommentSchema>, Comment>>();
assertType<Equal<Static<typeof CommentThreadSchema>, CommentThread>>();
assertType<Equal<Static<typeof CommentPageSchema>, CommentPage>>();
assertType<Equal<Static<typeof ReplyPageSchema>, ReplyPage>>();
assertType<Equal<Static<typeof NewCommentBodySchema>, NewCommentBody>>();
assertType<Equal<Static<typeof CommentLikeStateSchema>, CommentLikeState>>();
assertType<Equal<Static<typeof ReviewSchema>, Review>>();
assertType<Equal<Static<typeof ReviewPageSchema>, ReviewPage>>();
assertType<Equal<Static<typeof ReviewBodySchema>, ReviewBody>>();
assertType<Equal<Static<typeof RatingSummarySchema>, RatingSummary>>();

test('likedByMe is the only optional field of a comment: absent for anonymous readers', () => {
  const required = new Set<string>(CommentSchema.required ?? []);
  assert.deepEqual(
    Object.keys(CommentSchema.properties).filter((key) => !required.has(key)),
    ['likedByMe'],
  );
});

test('request bodies refuse fields they do not know', () => {
  for (const schema of [NewCommentBodySchema, ReviewBodySchema])
    assert.equal((schema as { additionalProperties?: unknown }).additionalProperties, false);
});
