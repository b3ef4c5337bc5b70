import type { Database } from '@binge/core/db';
import { sql, type SQL } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { completionShare } from '@binge/core/progression/watch-time';
import type { Candidate } from '../candidates/merge.ts';
import { COWATCH_HALF_LIFE_MS, COWATCH_RANK_DECAY, COWATCH_RECENT } from './co-watch.ts';
import {
  NO_CROSS,
  writeFeatureRow,
  type CrossInputs,
  type ItemInputs,
  type ViewerInputs,
} from './feature-row.ts';
import { SERVING_DIM } from './spec.ts';
import { intArray, rowsOf, selectTuples } from './sql-params.ts';

/**
 * The serving feature rows of a page's candidates (SERVING_FEATURES order, feature-row.ts for
 * each value), plus what the re-ranker needs to know of each candidate beyond its score. Three
 * statements whatever the number of candidates, run side by side: the items (episode, series,
 * item_features, tags, episode count, series views), the viewer's user_features row, and the
 * viewer's relation to each candidate series and episode (watch progress, follow-up, co-watch).
 * An anonymous viewer skips the last two. With an ItemRowCache the first statement reads only the
 * items the cache does not hold.
 */

export interface CandidateContext {
  categoryId: number;
  isFree: boolean;
  episodeNumber: number;
  /** The user watched this series' previous episode(s) recently: runs allowed. */
  binging: boolean;
  /** This user's progress on this episode, 0..1. */
  watchedRatio: number;
  tagIds: number[];
}

/** A series whose latest progress is this recent, at this episode or the one before, is a binge. */
export const BINGE_WINDOW_MS = 6 * 3_600_000;
/** The viewer's progress rows read, most recent first (as candidates/generate.ts). */
const PROGRESS_DEPTH = 500;

const DAY_MS = 24 * 3_600_000;

export interface ItemRow {
  episode_id: number;
  series_id: number;
  number: number;
  duration_ms: number;
  is_free: boolean;
  published_ms: number | null;
  category_id: number;
  tag_ids: number[] | null;
  /** The series' highest episode number (episodes are numbered from 1). */
  episode_count: number;
  series_views: number;
  impressions: number;
  starts: number;
  completes: number;
  early_skips: number;
  likes: number;
  shares: number;
  watch_ms: number;
}

interface ViewerRow {
  events: number;
  starts: number;
  completion_ewma: number;
  skip_ewma: number;
  category_affinity: Record<string, unknown> | null;
  tag_affinity: Record<string, unknown> | null;
  active_hours: number[] | null;
  recent_series: number[] | null;
}

interface RelationRow {
  kind: 'series' | 'episode';
  id: number;
  /** series: furthest episode number with progress; episode: position. */
  a: number | null;
  /** series: number of the latest progress row; episode: duration. */
  b: number | null;
  /** series: latest progress watched to the end (1/0). */
  c: number | null;
  /** series: time (ms) of the latest progress. */
  d: number | null;
  follows: boolean | null;
  cowatch: number | null;
}

interface SeriesRelation {
  furthest: number;
  /** Number of the episode of the latest progress in the series; null without progress. */
  latestNumber: number | null;
  latestWatched: boolean;
  latestAt: number;
  follows: boolean;
  coWatch: number;
}

const ITEM_COLUMNS = [
  'episode_id',
  'series_id',
  'number',
  'duration_ms',
  'is_free',
  'published_ms',
  'category_id',
  'tag_ids',
  'episode_count',
  'series_views',
  'impressions',
  'starts',
  'completes',
  'early_skips',
  'likes',
  'shares',
  'watch_ms',
] as const satisfies readonly (keyof ItemRow)[];

/**
 * The item half of the serving features, kept in the process for a few seconds: most of a
 * page's candidates (the hot board, fresh series, editorial picks, backfill) are the same for
 * every viewer, and their rows are the most expensive part of a page's features. An item's
 * counts are then up to `ttlMs` old, which the rates smoothed over hundreds of impressions do
 * not notice; the viewer's own features are never cached.
 */
export interface ItemRowCache {
  /** The rows of `episodeIds` (absent: no such episode), reading the misses with `load`. */
  rows(
    episodeIds: readonly number[],
    load: (missing: number[]) => Promise<ItemRow[]>,
  ): Promise<Map<number, ItemRow>>;
}

/** Items cached: a catalog's worth of candidates; about 300 bytes each. */
const ITEM_CACHE_MAX = 50_000;

export function createItemRowCache(options: { ttlMs: number; max?: number }): ItemRowCache {
  const cache = new LRUCache<number, ItemRow>({
    max: options.max ?? ITEM_CACHE_MAX,
    ttl: Math.max(1, options.ttlMs),
  });
  return {
    async rows(episodeIds, load) {
      const found = new Map<number, ItemRow>();
      const missing: number[] = [];
      for (const id of episodeIds) {
        const row = cache.get(id);
        if (row) found.set(id, row);
        else missing.push(id);
      }
      if (missing.length === 0) return found;
      for (const row of await load(missing)) {
        const id = Number(row.episode_id);
        cache.set(id, row);
        found.set(id, row);
      }
      return found;
    },
  };
}

const RELATION_COLUMNS = [
  'kind',
  'id',
  'a',
  'b',
  'c',
  'd',
  'follows',
  'cowatch',
] as const satisfies readonly (keyof RelationRow)[];

/** Rows of `query` as objects, fetched as JSON tuples (selectTuples: fewer values to convert). */
async function selectObjects<T extends object>(
  db: Database,
  query: SQL,
  columns: readonly (keyof T & string)[],
): Promise<T[]> {
  const tuples = await selectTuples<unknown[]>(db, query, columns);
  return tuples.map(
    (tuple) => Object.fromEntries(columns.map((column, i) => [column, tuple[i]])) as T,
  );
}

/**
 * The candidates' episodes with their series facts and item_features. Driven from the id list
 * by primary-key lookups (the laterals with `offset 0` keep the planner from hashing whole
 * tables for a page's few hundred rows), so the work follows the page, not the catalog.
 */
export function itemsSql(episodeIds: number[]): SQL {
  return sql`with ep as (
      select e.id, e.series_id, e.number, e.duration_ms, e.is_free,
        coalesce(e.published_at, s.published_at, e.created_at) as published_at, s.category_id
      from unnest(${intArray(episodeIds)}) as c(id)
      cross join lateral (select * from episodes x where x.id = c.id offset 0) e
      cross join lateral (select * from series y where y.id = e.series_id offset 0) s
    ),
    ser as (
      select d.series_id,
        array(select t.tag_id from series_tags t where t.series_id = d.series_id
          order by t.tag_id) as tag_ids,
        coalesce((select x.number from episodes x where x.series_id = d.series_id
          order by x.number desc limit 1), 0) as episode_count,
        coalesce((select c.views from series_counters c where c.series_id = d.series_id), 0)::float8
          as series_views
      from (select distinct series_id from ep) d
    )
    select ep.id as episode_id, ep.series_id, ep.number, ep.duration_ms, ep.is_free,
      (extract(epoch from ep.published_at) * 1000)::float8 as published_ms, ep.category_id,
      ser.tag_ids, ser.episode_count, ser.series_views,
      coalesce(f.impressions, 0) as impressions, coalesce(f.starts, 0) as starts,
      coalesce(f.completes, 0) as completes, coalesce(f.early_skips, 0) as early_skips,
      coalesce(f.likes, 0) as likes, coalesce(f.shares, 0) as shares,
      coalesce(f.watch_ms, 0)::float8 as watch_ms
    from ep join ser on ser.series_id = ep.series_id
    left join lateral (select * from item_features i where i.episode_id = ep.id offset 0) f
      on true`;
}

/**
 * The viewer's relation to each candidate series (furthest and latest progress, follow-up,
 * co-watch from their recent series) and episode (progress). Each part is computed once over the
 * viewer's own rows and joined to the candidates by hash, never rescanned per candidate.
 */
export function relationsSql(
  viewerId: number,
  episodeIds: number[],
  seriesIds: number[],
  now: Date,
): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  return sql`with progress as (
      select e.series_id, e.number, wp.position_ms, wp.duration_ms, wp.updated_at
      from (select episode_id, position_ms, duration_ms, updated_at from watch_progress
        where user_id = ${viewerId} order by updated_at desc limit ${PROGRESS_DEPTH}) wp
      cross join lateral (select series_id, number from episodes
        where id = wp.episode_id offset 0) e
    ),
    furthest as (select series_id, max(number) as number from progress group by series_id),
    latest as (
      select distinct on (series_id) series_id, number, position_ms, duration_ms, updated_at
      from progress order by series_id, updated_at desc
    ),
    follows as (
      select g.target_id as series_id from engagement_edges g
      where g.user_id = ${viewerId} and g.kind = 'follow_up' and g.target_type = 'series'
        and g.present
    ),
    cowatch as (
      select c.other_id as series_id,
        sum(c.weight
          * power(0.5::float8, greatest(0::float8, extract(epoch from (${at} - c.updated_at))::float8)
            * 1000 / ${COWATCH_HALF_LIFE_MS}::float8)
          * power(${COWATCH_RANK_DECAY}::float8, r.i - 1)) as weight
      from user_features uf
      cross join lateral unnest(uf.recent_series[1:${COWATCH_RECENT}]) with ordinality
        as r(series_id, i)
      join co_watch c on c.series_id = r.series_id
      where uf.user_id = ${viewerId} and c.other_id = any(${intArray(seriesIds)})
      group by c.other_id
    )
    select 'series' as kind, cs.series_id as id, f.number::float8 as a, l.number::float8 as b,
      case when l.position_ms >= ${completionShare}::float8 * greatest(l.duration_ms, 1)
        then 1 else 0 end::float8 as c,
      (extract(epoch from l.updated_at) * 1000)::float8 as d,
      fo.series_id is not null as follows, cw.weight::float8 as cowatch
    from unnest(${intArray(seriesIds)}) as cs(series_id)
    left join furthest f on f.series_id = cs.series_id
    left join latest l on l.series_id = cs.series_id
    left join (select distinct series_id from follows) fo on fo.series_id = cs.series_id
    left join cowatch cw on cw.series_id = cs.series_id
    union all
    select 'episode', w.episode_id, w.position_ms::float8, w.duration_ms::float8, null, null,
      null, null
    from watch_progress w
    where w.user_id = ${viewerId} and w.episode_id = any(${intArray(episodeIds)})`;
}

/** The candidate is the episode after the latest one the viewer has progress on. */
function isNext(relation: SeriesRelation | undefined, number: number): boolean {
  return relation?.latestNumber != null && number === relation.latestNumber + 1;
}

/** The weights of `keys` in a weight map as a share of its total (0 when it has none). */
function shareOf(weights: Record<string, unknown> | null, keys: Iterable<number>): number {
  let total = 0;
  for (const value of Object.values(weights ?? {}))
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) total += value;
  if (total <= 0) return 0;
  let sum = 0;
  for (const key of new Set(keys)) {
    const value = weights?.[String(key)];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) sum += value;
  }
  return sum / total;
}

export async function buildFeatureRows(
  db: Database,
  viewerId: number | null,
  candidates: Candidate[],
  now: Date,
  options: { items?: ItemRowCache } = {},
): Promise<{ x: Float32Array; rows: number; contexts: CandidateContext[] }> {
  const rows = candidates.length;
  const x = new Float32Array(rows * SERVING_DIM);
  if (rows === 0) return { x, rows, contexts: [] };
  if (Number.isNaN(now.getTime())) throw new RangeError('buildFeatureRows: invalid date');
  const episodeIds = [...new Set(candidates.map((c) => c.episodeId))];
  const seriesIds = [...new Set(candidates.map((c) => c.seriesId))];
  const viewer = viewerId !== null && Number.isInteger(viewerId) && viewerId > 0 ? viewerId : null;

  const loadItems = (ids: number[]) => selectObjects<ItemRow>(db, itemsSql(ids), ITEM_COLUMNS);
  const [itemById, viewerRows, relationRows] = await Promise.all([
    options.items
      ? options.items.rows(episodeIds, loadItems)
      : loadItems(episodeIds).then(
          (rows) => new Map(rows.map((row) => [Number(row.episode_id), row])),
        ),
    viewer === null
      ? Promise.resolve([])
      : rowsOf<ViewerRow>(
          db.execute(sql`select events, starts, completion_ewma, skip_ewma, category_affinity,
              tag_affinity, active_hours, recent_series
            from user_features where user_id = ${viewer}`),
        ),
    viewer === null
      ? Promise.resolve([])
      : selectObjects<RelationRow>(
          db,
          relationsSql(viewer, episodeIds, seriesIds, now),
          RELATION_COLUMNS,
        ),
  ]);

  const profile = viewerRows[0];
  const viewerInputs: ViewerInputs | null = profile
    ? {
        events: Number(profile.events),
        starts: Number(profile.starts),
        completionEwma: Number(profile.completion_ewma),
        skipEwma: Number(profile.skip_ewma),
      }
    : null;
  const hours = (profile?.active_hours ?? []).map(Number);
  const hourTotal = hours.reduce((sum, n) => sum + (Number.isFinite(n) && n > 0 ? n : 0), 0);
  const hourNow = hours[now.getUTCHours()] ?? 0;
  const hourActivity = hourTotal > 0 && Number.isFinite(hourNow) ? hourNow / hourTotal : 0;
  const recent = (profile?.recent_series ?? []).map(Number);

  const seriesRelations = new Map<number, SeriesRelation>();
  const episodeProgress = new Map<number, number>();
  for (const row of relationRows) {
    const id = Number(row.id);
    if (row.kind === 'episode') {
      const duration = Number(row.b);
      episodeProgress.set(id, duration > 0 ? Number(row.a) / duration : 0);
    } else
      seriesRelations.set(id, {
        furthest: Number(row.a ?? 0),
        latestNumber: row.b === null ? null : Number(row.b),
        latestWatched: Number(row.c ?? 0) === 1,
        latestAt: row.d === null ? NaN : Number(row.d),
        follows: row.follows === true,
        coWatch: Number(row.cowatch ?? 0),
      });
  }

  const contexts: CandidateContext[] = [];
  candidates.forEach((candidate, r) => {
    const item = itemById.get(candidate.episodeId);
    const number = item ? Number(item.number) : 1;
    const tagIds = (item?.tag_ids ?? []).map(Number);
    const categoryId = item ? Number(item.category_id) : 0;
    const relation = seriesRelations.get(candidate.seriesId);
    const publishedMs = item?.published_ms ?? null;
    const itemInputs: ItemInputs = {
      impressions: Number(item?.impressions ?? 0),
      starts: Number(item?.starts ?? 0),
      completes: Number(item?.completes ?? 0),
      earlySkips: Number(item?.early_skips ?? 0),
      likes: Number(item?.likes ?? 0),
      shares: Number(item?.shares ?? 0),
      watchMs: Number(item?.watch_ms ?? 0),
      durationMs: Number(item?.duration_ms ?? 0),
      ageDays: publishedMs === null ? 0 : (now.getTime() - Number(publishedMs)) / DAY_MS,
      episodeNumber: number,
      isFree: item?.is_free ?? true,
      seriesViews: Number(item?.series_views ?? 0),
    };
    const place = recent.indexOf(candidate.seriesId);
    const episodeCount = Number(item?.episode_count ?? 0);
    const cross: CrossInputs = profile
      ? {
          categoryAffinity: shareOf(profile.category_affinity, [categoryId]),
          tagAffinity: shareOf(profile.tag_affinity, tagIds),
          seriesRecent: place < 0 ? 0 : 1 / (1 + place),
          seriesProgress:
            relation && episodeCount > 0 ? Math.min(1, relation.furthest / episodeCount) : 0,
          follows: relation?.follows ?? false,
          isNextEpisode: isNext(relation, number),
          hourActivity,
          coWatch: relation?.coWatch ?? 0,
        }
      : relation
        ? {
            ...NO_CROSS,
            follows: relation.follows,
            isNextEpisode: isNext(relation, number),
          }
        : NO_CROSS;
    writeFeatureRow(x, r, itemInputs, viewerInputs, cross, candidate.source);
    const ratio = episodeProgress.get(candidate.episodeId) ?? 0;
    contexts.push({
      categoryId,
      isFree: itemInputs.isFree,
      episodeNumber: number,
      binging:
        relation?.latestNumber != null &&
        now.getTime() - relation.latestAt <= BINGE_WINDOW_MS &&
        (number === relation.latestNumber || number === relation.latestNumber + 1),
      watchedRatio: Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 0,
      tagIds,
    });
  });
  return { x, rows, contexts };
}
