import { sql } from 'drizzle-orm';
import type { Database } from '@binge/core/db';
import { SERVING_DIM } from '../features/spec.ts';
import type { TrainingSet } from '../model/ranker-model.ts';

/**
 * The training set of the ranker: one row per feed impression, with the feature vector serving
 * logged for it (feed_impressions.features: exactly what the model was served with), labelled
 * from the watch events of that play.
 *
 * Events belong to an impression when they carry its token (`watch_events.impression`); when no
 * event does (an old client, a play from a shared link of the same episode), the viewer's events
 * on the same episode received within ATTRIBUTION_WINDOW after it was served, and carrying no
 * other impression's token, stand in.
 *
 * - watched: the viewer played it past WATCHED_AFTER_MS (3 s: KuaiRand's and the item features'
 *   "early skip" line);
 * - weight: the seconds watched, from where the play started to the furthest point reached
 *   (a completion counts the whole rest of the episode), capped at the episode's duration and at
 *   least 1, for positives; 1 for negatives (Covington et al. 2016);
 * - liked: a `like` event on it.
 */
export const WATCHED_AFTER_MS = 3_000;
export const ATTRIBUTION_WINDOW_MINUTES = 30;
const DEFAULT_MAX_ROWS = 200_000;

export interface TrainingSetQuery {
  since: Date;
  until: Date;
  /** The most recent impressions of the window are kept when there are more (default 200k). */
  maxRows?: number;
}

export interface TrainingSetCounts {
  /** Impressions of signed-in viewers in the window (up to maxRows). */
  impressions: number;
  rows: number;
  positives: number;
  liked: number;
  /** Rows labelled from events that carried the impression token. */
  joinedByToken: number;
  /** Rows labelled from the same viewer's events on the episode shortly after. */
  joinedByTime: number;
  /** Impressions left out: a feature vector of another length (an older feature list) or not finite. */
  skipped: number;
}

export interface TrainingData {
  set: TrainingSet & { liked: Float32Array };
  /** served_at of each row (ms since the epoch), ascending: rows are in serving order. */
  servedAt: Float64Array;
  counts: TrainingSetCounts;
}

interface Row {
  served_ms: number;
  features: unknown;
  by_token: boolean;
  events: number | string | null;
  reached_ms: number | string | null;
  start_ms: number | string | null;
  duration_ms: number | string | null;
  completed: boolean | null;
  liked: boolean | null;
}

/** Both drivers answer a raw statement with `{ rows }`; the shared Database type leaves it unknown. */
async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  return ((await result) as { rows: T[] }).rows;
}

/**
 * What a set of events says about one play. The furthest point reached is the highest playhead of
 * any event, except that a seek counts where it started (`from_ms`), not where it jumped to.
 */
const playAggregates = sql`
  count(*) as events,
  max(case when e.type = 'seek' then coalesce(e.from_ms, 0) else e.position_ms end) as reached_ms,
  min(e.position_ms) filter (where e.type = 'start') as start_ms,
  max(e.duration_ms) as duration_ms,
  bool_or(e.type = 'complete') as completed,
  bool_or(e.type = 'like') as liked`;

/** Seconds watched and the label of one play from its aggregates (pure; exported for tests). */
export function labelPlay(play: {
  reachedMs: number;
  startMs: number | null;
  durationMs: number;
  completed: boolean;
}): { watched: boolean; seconds: number } {
  const from = Math.max(0, play.startMs ?? 0);
  const to = play.completed ? Math.max(play.durationMs, play.reachedMs) : play.reachedMs;
  const watchedMs = Math.max(0, Math.min(to - from, play.durationMs > 0 ? play.durationMs : to));
  return { watched: watchedMs > WATCHED_AFTER_MS, seconds: watchedMs / 1000 };
}

export async function buildTrainingSet(
  db: Database,
  query: TrainingSetQuery,
): Promise<TrainingData> {
  const maxRows = query.maxRows ?? DEFAULT_MAX_ROWS;
  if (!Number.isSafeInteger(maxRows) || maxRows < 1)
    throw new RangeError(`maxRows must be a positive integer, not ${maxRows}`);
  if (!(query.since.getTime() < query.until.getTime()))
    throw new RangeError('since must be before until');
  const since = query.since.toISOString();
  const until = query.until.toISOString();
  const window = sql.raw(`interval '${ATTRIBUTION_WINDOW_MINUTES} minutes'`);
  // Every watch_events predicate bounds received_at, so PostgreSQL prunes to the days involved.
  const rows = await rowsOf<Row>(
    db.execute(sql`
      with imp as (
        select served_at, id, user_id, episode_id, features
        from feed_impressions
        where served_at >= ${since}::timestamptz and served_at < ${until}::timestamptz
          and user_id is not null
        order by served_at desc, id desc
        limit ${maxRows}
      ),
      tok as (
        select e.impression as imp_id, ${playAggregates}
        from watch_events e
        where e.impression in (select id from imp)
          and e.received_at >= ${since}::timestamptz
          and e.received_at < ${until}::timestamptz + ${window}
        group by e.impression
      )
      select
        (extract(epoch from imp.served_at) * 1000)::float8 as served_ms,
        imp.features,
        tok.imp_id is not null as by_token,
        coalesce(tok.events, near.events) as events,
        coalesce(tok.reached_ms, near.reached_ms) as reached_ms,
        coalesce(tok.start_ms, near.start_ms) as start_ms,
        coalesce(tok.duration_ms, near.duration_ms) as duration_ms,
        coalesce(tok.completed, near.completed) as completed,
        coalesce(tok.liked, near.liked) as liked
      from imp
      left join tok on tok.imp_id = imp.id
      left join lateral (
        select ${playAggregates}
        from watch_events e
        where tok.imp_id is null
          and e.user_id = imp.user_id and e.episode_id = imp.episode_id
          and e.received_at >= imp.served_at and e.received_at < imp.served_at + ${window}
          and e.impression is null
      ) near on true
      order by imp.served_at, imp.id`),
  );

  const n = rows.length;
  const x = new Float32Array(n * SERVING_DIM);
  const watched = new Float32Array(n);
  const weight = new Float32Array(n);
  const liked = new Float32Array(n);
  const servedAt = new Float64Array(n);
  const counts: TrainingSetCounts = {
    impressions: n,
    rows: 0,
    positives: 0,
    liked: 0,
    joinedByToken: 0,
    joinedByTime: 0,
    skipped: 0,
  };
  let r = 0;
  for (const row of rows) {
    const features = row.features;
    if (
      !Array.isArray(features) ||
      features.length !== SERVING_DIM ||
      !features.every((v) => typeof v === 'number' && Number.isFinite(v))
    ) {
      counts.skipped += 1;
      continue;
    }
    x.set(features as number[], r * SERVING_DIM);
    servedAt[r] = Number(row.served_ms);
    weight[r] = 1;
    const events = Number(row.events ?? 0);
    if (events > 0) {
      if (row.by_token) counts.joinedByToken += 1;
      else counts.joinedByTime += 1;
      const play = labelPlay({
        reachedMs: Number(row.reached_ms ?? 0),
        startMs: row.start_ms === null ? null : Number(row.start_ms),
        durationMs: Number(row.duration_ms ?? 0),
        completed: row.completed === true,
      });
      if (play.watched) {
        watched[r] = 1;
        weight[r] = Math.max(1, play.seconds);
        counts.positives += 1;
      }
      if (row.liked === true) {
        liked[r] = 1;
        counts.liked += 1;
      }
    }
    r += 1;
  }
  counts.rows = r;
  return {
    set: {
      rows: r,
      dim: SERVING_DIM,
      x: x.subarray(0, r * SERVING_DIM),
      watched: watched.subarray(0, r),
      weight: weight.subarray(0, r),
      liked: liked.subarray(0, r),
    },
    servedAt: servedAt.subarray(0, r),
    counts,
  };
}
