import { hkdfSync } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CANDIDATE_SOURCES, type CandidateSource } from './feed-service.ts';

/**
 * The HTTP contract between the feed-ranker process (feed-ranker/src/serving/ranker-http.ts) and
 * its client (feed-client.ts), one schema for both sides:
 *
 * - `POST /feed/page` with a FeedPageRequest body answers 200 with a FeedPageResponse, 400
 *   `{code: 'INVALID_CURSOR' | 'VALIDATION_FAILED', message}`, 401 `{code: 'RANKER_KEY_INVALID'}`;
 * - `GET /health` answers 200 `{status: 'ok', modelVersion}`.
 *
 * The ranker is reached on the private network only, and still asks for a key (derived from the
 * AUTH_SECRET both sides hold), since a viewer's feed and its impressions are the viewer's data.
 */
export const FEED_PAGE_PATH = '/feed/page';
export const RANKER_HEALTH_PATH = '/health';
export const MAX_FEED_LIMIT = 50;

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });

export const FeedPageRequest = Type.Object(
  {
    viewerId: Type.Union([Id, Type.Null()]),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    limit: Type.Integer({ minimum: 1, maximum: MAX_FEED_LIMIT }),
    /** The serving process's clock, ms since the epoch. */
    now: Type.Integer({ minimum: 0, maximum: 2 ** 48 - 1 }),
    surface: Type.Union([Type.Literal('ws'), Type.Literal('http')]),
  },
  { additionalProperties: false },
);
export type FeedPageRequest = Static<typeof FeedPageRequest>;

export const FeedPageResponse = Type.Object(
  {
    entries: Type.Array(
      Type.Object(
        {
          episodeId: Id,
          seriesId: Id,
          impression: Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}\\.[0-9]{1,3}$' }),
          // Unsafe only types it: TypeBox's Static of a union over a mapped array is never.
          source: Type.Unsafe<CandidateSource>(
            Type.Union(CANDIDATE_SOURCES.map((source) => Type.Literal(source))),
          ),
          score: Type.Number(),
          explore: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_FEED_LIMIT },
    ),
    next: Type.String({ pattern: '^[A-Za-z0-9_-]{1,256}$' }),
    requestId: Type.String({ minLength: 1, maxLength: 40 }),
    modelVersion: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type FeedPageResponse = Static<typeof FeedPageResponse>;

/** Checks a page request's body; the message names the first field that is wrong. */
export function checkFeedPageRequest(
  value: unknown,
): { ok: true; request: FeedPageRequest } | { ok: false; message: string } {
  if (Value.Check(FeedPageRequest, value)) return { ok: true, request: value };
  const first = Value.Errors(FeedPageRequest, value).First();
  return {
    ok: false,
    message: `${first?.path || 'body'}: ${first?.message ?? 'not a page request'}`.slice(0, 200),
  };
}

/** The bearer key of the ranker's HTTP API, derived from AUTH_SECRET (its own HKDF label). */
export function rankerKey(authSecret: string): string {
  return Buffer.from(hkdfSync('sha256', authSecret, 'binge', 'ranker-api/v1', 32)).toString(
    'base64url',
  );
}
