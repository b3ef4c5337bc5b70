/**
 * The port between the services that serve the feed (the API's GET /feed, the gateway's `feed`
 * channel) and the ranker that fills it (feed-ranker/). Services never import each other: the
 * composition root (bin/platform.ts) hands the in-process ranker to both, and a split deployment
 * hands them the HTTP client of feed-ranker/src/server.ts (RANKER_URL) instead.
 */

/** Where a feed entry came from (docs/architecture.md "Feed and ranking"). */
export const CANDIDATE_SOURCES = [
  'hot',
  'continue',
  'cowatch',
  'category',
  'fresh',
  'editorial',
  'backfill',
] as const;
export type CandidateSource = (typeof CANDIDATE_SOURCES)[number];

export interface FeedRequest {
  /** The signed-in viewer; null for an anonymous one (cold start: hot, fresh, editorial). */
  viewerId: number | null;
  /** The `next` of the previous page; absent for the first page of a new feed session. */
  cursor?: string | undefined;
  /** Entries wanted, 1..50. */
  limit: number;
  now: Date;
  surface: 'ws' | 'http';
}

export interface FeedEntry {
  episodeId: number;
  seriesId: number;
  /** The impression token (`<request id>.<position>`) clients echo as `imp` in watch events. */
  impression: string;
  source: CandidateSource;
  score: number;
  /** Filled an exploration slot rather than being the best-scored candidate. */
  explore: boolean;
}

export interface FeedPage {
  entries: FeedEntry[];
  /** The cursor of the next page. The feed is infinite: there is always a next page. */
  next: string;
  requestId: string;
  /** The model version that scored the page; null when the heuristic score did. */
  modelVersion: string | null;
}

export interface FeedService {
  /** Ranks one page. Never fails for want of a model or of features: it falls back. */
  page(request: FeedRequest): Promise<FeedPage>;
}

/** The cursor was not issued by this feed (garbled, forged, or of another viewer). */
export class FeedCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  constructor(message = 'not a cursor of this feed') {
    super(message);
    this.name = 'FeedCursorError';
  }
}
