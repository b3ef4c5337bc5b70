import { Type, type TSchema } from '@fastify/type-provider-typebox';
import { maxDiscussionUnits } from '@binge/core/protocol/discussion-text';
import { BigIdString } from './discussion-id.ts';

/**
 * TypeBox schemas of the discussion wire types in core/src/protocol/discussion.ts. They validate
 * requests, drive response serialization and the OpenAPI document; discussion-schemas.test.ts
 * checks at the type level that each is exactly its interface.
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

const DecimalId = (description: string) => Type.String({ description });

export const DiscussionAuthorSchema = Type.Object({
  id: Type.Integer(),
  displayName: Type.String(),
  avatarUrl: Nullable(Type.String()),
  level: Type.Integer({ description: 'The author’s level, 0 to 6, from their experience' }),
});

const commentProperties = {
  id: DecimalId('Comment id (decimal)'),
  episodeId: Type.Integer(),
  parentId: Nullable(DecimalId('The top-level comment a reply hangs under')),
  replyToUserId: Nullable(
    Type.Integer({ description: 'Whom a reply written under another reply answers' }),
  ),
  author: Nullable(DiscussionAuthorSchema),
  body: Nullable(
    Type.String({ description: 'Plain text, never HTML; null on a deleted or hidden placeholder' }),
  ),
  likes: Type.Integer(),
  replies: Type.Integer({ description: 'Replies not deleted (top-level comments)' }),
  likedByMe: Type.Optional(Type.Boolean({ description: 'Only when signed in' })),
  createdAt: Type.String({ format: 'date-time' }),
  status: literals(['visible', 'hidden', 'deleted'] as const),
};

export const CommentSchema = Type.Object(commentProperties);

export const CommentThreadSchema = Type.Object({
  ...commentProperties,
  firstReplies: Type.Array(CommentSchema, {
    description: 'The oldest visible replies (up to 3); the rest from /comments/{id}/replies',
  }),
});

const NextCursor = Nullable(Type.String({ description: 'Opaque cursor of the next page' }));

export const CommentPageSchema = Type.Object({
  items: Type.Array(CommentThreadSchema),
  nextCursor: NextCursor,
});

export const ReplyPageSchema = Type.Object({
  items: Type.Array(CommentSchema),
  nextCursor: NextCursor,
});

export const NewCommentBodySchema = Type.Object(
  {
    body: Type.String({
      maxLength: maxDiscussionUnits('comment'),
      description:
        '1 to 500 characters after trimming; no control or bidi-override characters. Stored ' +
        'and returned verbatim as text (markup included): render it as text.',
    }),
    parentId: Type.Optional(
      Type.String({
        ...BigIdString,
        description: 'The comment answered; a reply to a reply joins its parent’s thread',
      }),
    ),
    cmid: Type.String({
      pattern: '^[A-Za-z0-9_-]{8,64}$',
      description: 'Client idempotency key: a retry with it returns the original (200)',
    }),
  },
  { additionalProperties: false },
);

export const CommentLikeStateSchema = Type.Object({
  liked: Type.Boolean(),
  likes: Type.Integer(),
});

export const ReviewSchema = Type.Object({
  id: DecimalId('Review id (decimal)'),
  seriesId: Type.Integer(),
  author: DiscussionAuthorSchema,
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  body: Type.String({ description: 'Plain text (maybe empty), never HTML' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  status: literals(['visible', 'hidden', 'deleted'] as const),
});

export const ReviewPageSchema = Type.Object({
  items: Type.Array(ReviewSchema),
  nextCursor: NextCursor,
});

export const ReviewBodySchema = Type.Object(
  {
    rating: Type.Integer({ minimum: 1, maximum: 5, description: 'Stars, 1 to 5' }),
    body: Type.Optional(
      Type.String({
        maxLength: maxDiscussionUnits('review'),
        description: '0 to 2000 characters after trimming; plain text',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RatingSummarySchema = Type.Object({
  seriesId: Type.Integer(),
  average: Nullable(Type.Number({ description: 'Mean rating, one decimal; null without reviews' })),
  count: Type.Integer(),
  histogram: Type.Object(
    {
      '1': Type.Integer(),
      '2': Type.Integer(),
      '3': Type.Integer(),
      '4': Type.Integer(),
      '5': Type.Integer(),
    },
    { description: 'Visible reviews per star rating' },
  ),
});

export const CommentOrderQuery = literals(
  ['hot', 'new'] as const,
  'hot: most liked first; new: newest first',
);
export const ReviewOrderQuery = literals(
  ['new', 'top'] as const,
  'new: newest first; top: highest rating first',
);
