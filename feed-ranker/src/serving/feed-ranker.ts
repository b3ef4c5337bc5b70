import { and, eq, gte, isNull, sql } from 'drizzle-orm';
import type { Database } from '@binge/core/db';
import { feedImpressions } from '@binge/core/db/schema';
import {
  createFeedCursorCodec,
  impressionOf,
  requestIdOf,
  type FeedSession,
} from '@binge/core/feed/feed-cursor';
import { createHotFeed } from '@binge/core/feed/feed-fallback';
import type {
  CandidateSource,
  FeedEntry,
  FeedPage,
  FeedRequest,
  FeedService,
} from '@binge/core/feed/feed-service';
import type { Logger } from '@binge/core/log';
import { createSqlRealtimeStore } from '@binge/core/realtime-state/store-sql';
import { generateCandidates } from '../candidates/generate.ts';
import type { Candidate } from '../candidates/merge.ts';
import { ensureDayPartitions } from '../events/partitions.ts';
import { recordImpressions } from '../features/apply-events.ts';
import { heuristicScores } from '../features/heuristic.ts';
import { SERVING_DIM } from '../features/spec.ts';
import { FEATURE_INDEX, ITEM_PRIORS } from '../features/feature-row.ts';
import { textArray } from '../features/sql-params.ts';
import { buildFeatureRows, createItemRowCache } from '../features/vector.ts';
import type { RankerModel } from '../model/ranker-model.ts';
import {
  rerank,
  type PaywallPolicy,
  type RankedEntry,
  type RerankCandidate,
  type RerankContext,
} from './rerank.ts';

/**
 * The feed: the FeedService the API's GET /feed and the gateway's `feed` channel serve, in process
 * (bin/platform.ts) or behind feed-ranker/src/server.ts.
 *
 * A page: the session's earlier pages (from the cursor) → candidates without them → feature rows
 * → the model's expected watch time (or the heuristic score when there is no model or it fails)
 * → re-ranking (rerank.ts) → the page, while its impressions are logged with their feature vectors
 * (written behind the answer: the next page of the same session waits for them, and so does
 * `settled()`; past MAX_PENDING_WRITES pages wait for their own, so a slow database slows the
 * feed instead of piling up writes).
 * When a session has shown every candidate, the feed starts again with the least recently shown:
 * it never ends. When the candidates cannot be read at all, the hot order answers (the fallback
 * feed, which continues the same session): the feed always answers.
 */
export interface FeedRankerDeps {
  db: Database;
  /** The serving model (model/registry.ts); null from current() means the heuristic scores. */
  registry: { current(): RankerModel | null };
  logger: Logger;
  /** AUTH_SECRET: the cursor's signing key is derived from it. */
  authSecret: string;
  /** RANKER_EXPLORE_PERCENT. */
  explorePercent: number;
  /** Uniform in [0, 1) for the exploration draws; Math.random unless set. */
  random?: () => number;
  /** The paywall issue's paid/free mix; admits all unless set. */
  paywall?: PaywallPolicy;
  /** Candidates per source (generateCandidates' perSource). */
  perSource?: number;
  /**
   * How long an item's feature row is reused (features/vector.ts ItemRowCache), ms;
   * ITEM_CACHE_MS unless set, 0 reads every item of every page.
   */
  itemCacheMs?: number;
}

export interface FeedRanker extends FeedService {
  /** Pages served, and how many of them fell back (for logs and benchmarks). */
  stats(): { pages: number; heuristicPages: number; hotPages: number };
  /** Resolves when the impressions of every page answered so far are written (or failed). */
  settled(): Promise<void>;
}

/** Pages whose impressions may be written behind the answer at once. */
export const MAX_PENDING_WRITES = 64;

/**
 * Earlier pages of a session whose impressions are looked up: what a session does not repeat
 * (100 pages, 2,000 entries at the default page of 20).
 */
const SESSION_LOOKBACK_PAGES = 100;
/** How long a page waits for the impressions of the session's previous page to be written. */
const PENDING_WAIT_MS = 1_000;
/** Clock slack between the processes that served a session's pages. */
const SESSION_CLOCK_SLACK_MS = 5 * 60_000;
/** Items' feature rows are reused this long: their counts move slowly, the page must not. */
export const ITEM_CACHE_MS = 5_000;
/** Day partitions of feed_impressions kept ahead: today and tomorrow. */
const PARTITION_DAYS_AHEAD = 2;

/** A logged entry of a page, as a retry of that page answers it again. */
interface ImpressionRow {
  episodeId: number;
  seriesId: number;
  position: number;
  source: string;
  score: number;
  explore: boolean;
  modelVersion: string | null;
}

/** Waits for `promise`, but no longer than `ms`: a stuck write must not stop the feed. */
async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

interface Scored extends RerankCandidate {
  /** The feature vector it was scored on; null when the features could not be built. */
  features: Float32Array | null;
}

const neutralContext: RerankContext = {
  categoryId: null,
  isFree: true,
  binging: false,
  watchedRatio: 0,
};

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const IMPRESSIONS = FEATURE_INDEX.item_log_impressions;
const START_RATE = FEATURE_INDEX.item_start_rate;

/**
 * The exploration prior of a candidate, read back from its feature row rather than queried again:
 * item_log_impressions is log1p(impressions) and item_start_rate the start rate smoothed with
 * ITEM_PRIORS.start (features/feature-row.ts), both exactly invertible.
 */
export function exposureOf(x: Float32Array, row: number): { impressions: number; starts: number } {
  const impressions = Math.max(0, Math.round(Math.expm1(x[row * SERVING_DIM + IMPRESSIONS]!)));
  const { mean, weight } = ITEM_PRIORS.start;
  const rate = x[row * SERVING_DIM + START_RATE]!;
  const starts = Math.round(rate * (impressions + weight) - weight * mean);
  return {
    impressions: Number.isFinite(impressions) ? impressions : 0,
    starts: Number.isFinite(starts) ? Math.min(impressions, Math.max(0, starts)) : 0,
  };
}

export function createFeedRanker(deps: FeedRankerDeps): FeedRanker {
  const { db, registry, logger } = deps;
  const random = deps.random ?? Math.random;
  const cursors = createFeedCursorCodec(deps.authSecret);
  const hot = createHotFeed({ store: createSqlRealtimeStore(db), cursors });
  const counts = { pages: 0, heuristicPages: 0, hotPages: 0 };
  const itemCacheMs = deps.itemCacheMs ?? ITEM_CACHE_MS;
  const featureOptions =
    itemCacheMs > 0 ? { items: createItemRowCache({ ttlMs: itemCacheMs }) } : {};
  let partitionsReadyFor: string | null = null;
  /** Impression writes under way, by feed session. */
  const pendingWrites = new Map<string, Promise<void>>();
  let pendingCount = 0;

  /**
   * Episodes served on the session's earlier pages → the last page that showed each. Pages, not
   * clocks, order them: the processes serving one session need not agree on the time. When this
   * very page was served before (the client retried, or the answer was lost), its entries come
   * back as `again`, so a retry gets the same page and logs nothing twice.
   */
  async function servedInSession(
    state: FeedSession,
  ): Promise<{ served: Map<number, number>; again: ImpressionRow[] }> {
    const served = new Map<number, number>();
    const again: ImpressionRow[] = [];
    if (state.page === 0) return { served, again };
    // This process may still be writing the session's last page.
    const pending = pendingWrites.get(state.session);
    if (pending) await waitAtMost(pending, PENDING_WAIT_MS);
    const pageOf = new Map<string, number>();
    for (let page = Math.max(0, state.page - SESSION_LOOKBACK_PAGES); page <= state.page; page += 1)
      pageOf.set(requestIdOf(state.session, page), page);
    const rows = await db
      .select({
        episodeId: feedImpressions.episodeId,
        requestId: feedImpressions.requestId,
        seriesId: feedImpressions.seriesId,
        position: feedImpressions.position,
        source: feedImpressions.source,
        score: feedImpressions.score,
        explore: feedImpressions.explore,
        modelVersion: feedImpressions.modelVersion,
      })
      .from(feedImpressions)
      .where(
        and(
          // served_at bounds the partitions read; the request ids are indexed.
          gte(feedImpressions.servedAt, new Date(state.startedAt - SESSION_CLOCK_SLACK_MS)),
          state.viewerId === null
            ? isNull(feedImpressions.userId)
            : eq(feedImpressions.userId, state.viewerId),
          sql`${feedImpressions.requestId} = any(${textArray([...pageOf.keys()])})`,
        ),
      );
    for (const row of rows) {
      const page = pageOf.get(row.requestId) ?? 0;
      if (page === state.page) {
        again.push(row);
        continue;
      }
      served.set(row.episodeId, Math.max(page, served.get(row.episodeId) ?? 0));
    }
    again.sort((a, b) => a.position - b.position);
    return { served, again };
  }

  /**
   * Features and scores of the candidates. A failure of the features leaves the candidates in
   * their source order with neutral contexts (and counted as unseen); a missing or failing model
   * gives way to the heuristic score. Neither stops the page.
   */
  async function score(
    viewerId: number | null,
    candidates: Candidate[],
    now: Date,
  ): Promise<{ scored: Scored[]; modelVersion: string | null }> {
    if (candidates.length === 0) return { scored: [], modelVersion: null };
    let features: Awaited<ReturnType<typeof buildFeatureRows>> | null = null;
    try {
      features = await buildFeatureRows(db, viewerId, candidates, now, featureOptions);
      if (features.rows !== candidates.length || features.x.length !== features.rows * SERVING_DIM)
        throw new RangeError(
          `feature rows ${features.rows} × ${features.x.length / Math.max(1, features.rows)} do not fit ${candidates.length} candidates × ${SERVING_DIM}`,
        );
    } catch (error) {
      logger.error({ err: error }, 'feed features failed: candidates in source order');
      features = null;
    }

    let scores: Float32Array | null = null;
    let modelVersion: string | null = null;
    if (features) {
      // current() and predict() in one synchronous turn: a hot swap cannot dispose the model
      // between them (model/registry.ts).
      const model = registry.current();
      if (model) {
        try {
          const predicted = model.predict(features.x, features.rows);
          if (predicted.length !== features.rows || !predicted.every(Number.isFinite))
            throw new RangeError(`model ${model.version} gave scores that are not finite`);
          scores = predicted;
          modelVersion = model.version;
        } catch (error) {
          logger.error({ err: error, version: model.version }, 'model failed: heuristic scores');
        }
      }
      if (scores === null) {
        try {
          scores = heuristicScores(features.x, features.rows);
        } catch (error) {
          logger.error({ err: error }, 'heuristic failed: candidates in source order');
        }
      }
    }

    const scored = candidates.map((candidate, i): Scored => {
      const seen = features ? exposureOf(features.x, i) : null;
      const value = scores?.[i];
      return {
        episodeId: candidate.episodeId,
        seriesId: candidate.seriesId,
        source: candidate.source,
        // Unscored, the generator's order stands (source priority, then strength in the source).
        score: value !== undefined && Number.isFinite(value) ? value : candidates.length - i,
        context: features?.contexts[i] ?? neutralContext,
        impressions: seen?.impressions ?? 0,
        starts: seen?.starts ?? 0,
        row: i,
        features: features ? features.x.slice(i * SERVING_DIM, (i + 1) * SERVING_DIM) : null,
      };
    });
    return { scored, modelVersion: scores === null ? null : modelVersion };
  }

  /** Writes the page's impressions (with their vectors) and bumps the items' impression counts. */
  async function logImpressions(
    viewerId: number | null,
    requestId: string,
    entries: RankedEntry<Scored>[],
    modelVersion: string | null,
    now: Date,
  ): Promise<void> {
    if (entries.length === 0) return;
    const day = dayOf(now);
    if (partitionsReadyFor !== day) {
      try {
        await ensureDayPartitions(db, 'feed_impressions', now, PARTITION_DAYS_AHEAD, logger);
        partitionsReadyFor = day;
      } catch (error) {
        // The default partition takes the rows meanwhile.
        logger.warn({ err: error }, 'feed_impressions day partitions not created');
      }
    }
    await db.transaction(async (tx) => {
      await tx.insert(feedImpressions).values(
        entries.map((entry, position) => ({
          servedAt: now,
          id: impressionOf(requestId, position),
          requestId,
          userId: viewerId,
          position,
          episodeId: entry.candidate.episodeId,
          seriesId: entry.candidate.seriesId,
          source: entry.candidate.source,
          score: entry.candidate.score,
          modelVersion,
          explore: entry.explore,
          // An empty vector (features unavailable) is skipped by training (training/dataset.ts).
          features: entry.candidate.features ? Array.from(entry.candidate.features) : [],
        })),
      );
      await recordImpressions(
        tx,
        entries.map((entry) => ({
          episodeId: entry.candidate.episodeId,
          seriesId: entry.candidate.seriesId,
        })),
      );
    });
  }

  /** The page `requestId` as it was served before, from its logged impressions. */
  function replayed(state: FeedSession, requestId: string, rows: ImpressionRow[]): FeedPage {
    return {
      entries: rows.map((row) => ({
        episodeId: row.episodeId,
        seriesId: row.seriesId,
        impression: impressionOf(requestId, row.position),
        source: row.source as CandidateSource,
        score: row.score,
        explore: row.explore,
      })),
      next: cursors.encode({ ...state, page: state.page + 1 }),
      requestId,
      modelVersion: rows[0]!.modelVersion,
    };
  }

  async function rankedPage(request: FeedRequest, state: FeedSession): Promise<FeedPage | null> {
    const { viewerId, limit, now } = request;
    const requestId = requestIdOf(state.session, state.page);

    /** Episode → the last page of this session that showed it. */
    let served = new Map<number, number>();
    try {
      const session = await servedInSession(state);
      if (session.again.length > 0) return replayed(state, requestId, session.again);
      served = session.served;
    } catch (error) {
      logger.warn({ err: error }, 'feed session lookup failed: this page may repeat one');
    }
    let candidates: Candidate[];
    try {
      candidates = await generateCandidates(db, viewerId, now, {
        excludeEpisodes: new Set(served.keys()),
        ...(deps.perSource === undefined ? {} : { perSource: deps.perSource }),
      });
    } catch (error) {
      logger.error({ err: error }, 'feed candidates failed: hot order');
      return null;
    }

    const exclude = new Set(served.keys());
    const first = await score(viewerId, candidates, now);
    let modelVersion = first.modelVersion;
    const options = {
      limit,
      explorePercent: deps.explorePercent,
      random,
      exclude,
      ...(deps.paywall ? { paywall: deps.paywall } : {}),
    };
    let page = rerank(first.scored, options);

    // Everything new was shown in this session: start again with the least recently shown.
    if (page.length < limit && served.size > 0) {
      const onPage = new Set(page.map((entry) => entry.candidate.episodeId));
      let again: Candidate[] = [];
      try {
        again = await generateCandidates(db, viewerId, now, {
          ...(deps.perSource === undefined ? {} : { perSource: deps.perSource }),
        });
      } catch (error) {
        logger.error({ err: error }, 'feed candidates failed while recycling');
      }
      const recycled = again
        .filter((c) => served.has(c.episodeId) && !onPage.has(c.episodeId))
        .sort((a, b) => served.get(a.episodeId)! - served.get(b.episodeId)!);
      const rescored = await score(viewerId, recycled, now);
      // One page, one scorer named in the log: the first scoring's, when it scored anything.
      if (first.scored.length === 0) modelVersion = rescored.modelVersion;
      const recycling = {
        limit: limit - page.length,
        explorePercent: 0,
        random,
        prefix: page,
        keepOrder: true,
        ...(deps.paywall ? { paywall: deps.paywall } : {}),
      };
      let more = rerank(rescored.scored, recycling);
      if (page.length + more.length === 0)
        more = rerank(rescored.scored, { ...recycling, watchedRatio: Infinity });
      page = [...page, ...more];
    }
    // A viewer who watched everything proposed, with nothing to recycle, still gets a page.
    if (page.length === 0) page = rerank(first.scored, { ...options, watchedRatio: Infinity });
    // Nothing to propose (the viewer finished every series): the hot order starts them again.
    if (page.length === 0) return null;
    if (modelVersion === null) counts.heuristicPages += 1;

    const previous = pendingWrites.get(state.session);
    const write = (async () => {
      await previous;
      try {
        await logImpressions(viewerId, requestId, page, modelVersion, now);
      } catch (error) {
        logger.error({ err: error, requestId }, 'feed impressions not logged');
      }
    })();
    pendingWrites.set(state.session, write);
    pendingCount += 1;
    void write.then(() => {
      pendingCount -= 1;
      if (pendingWrites.get(state.session) === write) pendingWrites.delete(state.session);
    });
    if (pendingCount > MAX_PENDING_WRITES) await waitAtMost(write, PENDING_WAIT_MS);
    const entries: FeedEntry[] = page.map((entry, position) => ({
      episodeId: entry.candidate.episodeId,
      seriesId: entry.candidate.seriesId,
      impression: impressionOf(requestId, position),
      source: entry.candidate.source,
      score: entry.candidate.score,
      explore: entry.explore,
    }));
    return {
      entries,
      next: cursors.encode({ ...state, page: state.page + 1 }),
      requestId,
      modelVersion,
    };
  }

  return {
    async page(request) {
      if (!Number.isInteger(request.limit) || request.limit < 1 || request.limit > 50)
        throw new RangeError('limit must be an integer in 1..50');
      // A bad cursor is the caller's error (INVALID_CURSOR), not a reason to fall back.
      const state =
        request.cursor === undefined
          ? cursors.start(request.viewerId, request.now)
          : cursors.decode(request.cursor, request.viewerId);
      counts.pages += 1;
      let page: FeedPage | null = null;
      try {
        page = await rankedPage(request, state);
      } catch (error) {
        logger.error({ err: error }, 'feed ranking failed: hot order');
      }
      if (page) return page;
      counts.hotPages += 1;
      return hot.page(request);
    },

    stats: () => ({ ...counts }),

    async settled() {
      while (pendingWrites.size > 0) await Promise.all([...pendingWrites.values()]);
    },
  };
}
