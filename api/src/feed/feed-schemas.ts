import { Type, type Static } from '@fastify/type-provider-typebox';
import { CANDIDATE_SOURCES, type CandidateSource } from '@binge/core/feed/feed-service';

/** GET /api/v1/feed: one ranked page of the endless feed. */
export const FeedQuery = Type.Object({
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 256,
      description: '`next` of the previous page; absent for the first page of a new feed session',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
});

export const FeedItemSchema = Type.Object(
  {
    episodeId: Type.Integer({ minimum: 1 }),
    seriesId: Type.Integer({ minimum: 1 }),
    impression: Type.String({
      pattern: '^[A-Za-z0-9_-]{1,40}\\.[0-9]{1,3}$',
      description: 'impression token: send it as `imp` with the watch events of this entry',
    }),
    // Unsafe only types it: TypeBox's Static of a union over a mapped array is never.
    source: Type.Unsafe<CandidateSource>(
      Type.Union(
        CANDIDATE_SOURCES.map((source) => Type.Literal(source)),
        { description: 'where the entry came from' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const FeedPageSchema = Type.Object(
  {
    items: Type.Array(FeedItemSchema, { maxItems: 50 }),
    next: Type.String({
      description: 'cursor of the next page: the feed is endless, there is always one',
    }),
  },
  { additionalProperties: false },
);
export type FeedPageWire = Static<typeof FeedPageSchema>;
