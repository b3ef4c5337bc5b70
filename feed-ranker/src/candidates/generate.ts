import type { Database } from '@binge/core/db';
import { sql, type SQL } from 'drizzle-orm';
import { completionShare } from '@binge/core/progression/watch-time';
import { COWATCH_HALF_LIFE_MS, COWATCH_RANK_DECAY, COWATCH_RECENT } from '../features/co-watch.ts';
import { intArray, selectTuples } from '../features/sql-params.ts';
import { keepStrongest, type Candidate } from './merge.ts';

export type { Candidate } from './merge.ts';

/**
 * Candidate generation: the episodes a feed page is ranked from, each with the source that
 * proposed it (docs/architecture.md "Feed and ranking"). One SQL statement gathers every source:
 *
 * - continue: series the viewer follows up (追剧, a present follow_up edge) or has watch progress
 *   in, most recent first: their resume episode and the one after it. Score 2^(−age / 7 days) of
 *   the latest progress or follow-up (the next episode half that);
 * - cowatch: neighbours in co_watch of the viewer's COWATCH_RECENT most recent series, each
 *   neighbour's weights decayed to now and summed with the recent series' rank weights;
 * - category: the hot board (series_rankings) of each of the viewer's CATEGORY_TOP categories of
 *   highest affinity, the category's share of the top affinity times 1 / (1 + 0.1 · (rank − 1));
 * - editorial: editorial_picks whose window holds `now`, by position (score 1 / place);
 * - hot: the overall hot board (time-decayed engagement, core/src/rankings), score / top score;
 *   only series with some engagement (the board ranks untouched series too, at 0, behind them);
 * - fresh: series published in the last FRESH_DAYS, newest first (score 1 − age / FRESH_DAYS),
 *   which is how a new series with no statistics reaches viewers besides exploration;
 * - backfill: every other published series, newest first, so the feed never runs dry: its
 *   first episode from the resume point that is playable and not excluded (score 0).
 *
 * Cold start: an anonymous viewer (null) or one with no progress, follow-ups or features has no
 * continue, cowatch or category candidates, and gets hot, fresh, editorial and backfill.
 *
 * A series enters at its entry episode: the viewer's resume episode (the episode of their latest
 * progress in the series, or the one after it when that was watched to core's completionShare), else
 * episode 1; more exactly the first playable episode from that number on. A series the viewer
 * finished has no entry. Only playable episodes (ready, with a ready published asset that has a
 * master playlist, as the playback endpoint requires) of published series are proposed; an
 * excluded episode is never proposed (backfill moves on to the series' next episode). An episode
 * proposed by several sources is kept once, credited to the strongest (merge.ts).
 */

export const DEFAULT_PER_SOURCE = 80;
export const MAX_PER_SOURCE = 500;
export const FRESH_DAYS = 7;
export const CATEGORY_TOP = 3;
/** Progress rows of the viewer read (most recent first) to find resume points. */
export const PROGRESS_DEPTH = 500;
/** Decay of a continue candidate's score with the age of the viewer's latest activity. */
export const CONTINUE_HALF_LIFE_DAYS = 7;

export interface GenerateOptions {
  /** Most candidates per source (continue: episodes, two per series), 1..MAX_PER_SOURCE. */
  perSource?: number;
  /** Episodes never to propose (already served in this feed session, or already watched). */
  excludeEpisodes?: ReadonlySet<number>;
}

/** An episode `alias` the player would serve (as api/src/playback requires). */
const isPlayable = (alias: string) => {
  const e = sql.raw(alias);
  return sql`${e}.status = 'ready' and exists (select 1 from media_assets m
    where m.id = ${e}.media_asset_id and m.episode_id = ${e}.id and m.status = 'ready'
      and m.master_key is not null)`;
};

/**
 * The first `limit` playable episodes of series `seriesId` numbered `fromNumber` or more (an
 * episode the player would serve: ready, with a ready published asset of its own that has a
 * master playlist), in number order, as a lateral subquery `en(id, number)`.
 *
 * Shaped for the common case, where episode `fromNumber` itself is playable: the first branch
 * looks it up by the unique (series_id, number) index and, with `limit 1`, the second branch
 * never runs (an Append feeds a Limit one branch after the other). The second branch walks the
 * later episodes in number order (kept apart by `offset 0`, so the playability check runs only
 * until enough pass). Put as one `order by … limit`, the planner fetches, checks and sorts every
 * episode of the series for each one, several times the work on a 20-episode series.
 */
function firstPlayable(seriesId: SQL, fromNumber: SQL, limit: number, excluded?: SQL): SQL {
  const notExcluded = (alias: string) =>
    excluded ? sql`and ${sql.raw(alias)}.id <> all(${excluded})` : sql``;
  return sql`(select y.id, y.number from (
      (select e.id, e.number from episodes e
        where e.series_id = ${seriesId} and e.number = ${fromNumber} and ${isPlayable('e')}
          ${notExcluded('e')})
      union all
      (select x.id, x.number from (
          select e.id, e.number, e.status, e.media_asset_id from episodes e
          where e.series_id = ${seriesId} and e.number > ${fromNumber}
          order by e.number offset 0) x
        where ${isPlayable('x')} ${notExcluded('x')})
    ) y
    limit ${sql.raw(String(limit))})`;
}

/** The viewer's resume number in series `seriesId` (1 without progress), from `resume`. */
const resumeOf = (seriesId: SQL) =>
  sql`coalesce((select rs.numbers[array_position(rs.ids, ${seriesId})] from resume rs), 1)`;

const published = sql`s.status = 'published' and s.published_at is not null`;

/** episode_id, series_id, source, score */
type CandidateRow = [number, number, Candidate['source'], number | null];

export function candidatesSql(viewerId: number, now: Date, perSource: number, excluded: SQL): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const ageDays = (column: SQL) =>
    sql`greatest(0::float8, extract(epoch from (${at} - ${column}))::float8 / 86400)`;
  const continueSeries = Math.ceil(perSource / 2);
  return sql`with
    progress as (
      select distinct on (e.series_id) e.series_id, e.number, wp.updated_at,
        case when wp.position_ms >= ${completionShare}::float8 * greatest(wp.duration_ms, 1)
          then e.number + 1 else e.number end as resume_number
      from (select episode_id, position_ms, duration_ms, updated_at from watch_progress
        where user_id = ${viewerId} order by updated_at desc limit ${PROGRESS_DEPTH}) wp
      cross join lateral (select series_id, number from episodes
        where id = wp.episode_id offset 0) e
      order by e.series_id, wp.updated_at desc
    ),
    resume as (
      select array_agg(series_id) as ids, array_agg(resume_number) as numbers from progress
    ),
    viewer as (
      select recent_series, category_affinity from user_features where user_id = ${viewerId}
    ),
    hot as (
      select r.series_id, 'hot' as source,
        coalesce(r.score / nullif(max(r.score) over (), 0), 0) as score
      from (select series_id, score from series_rankings
        where board = 'hot' and category_id = 0 and score > 0 order by rank limit ${perSource}) r
    ),
    fresh as (
      select s.id as series_id, 'fresh' as source,
        greatest(0::float8, 1 - ${ageDays(sql`s.published_at`)} / ${FRESH_DAYS}) as score
      from series s
      where ${published} and s.published_at <= ${at}
        and s.published_at > ${at} - make_interval(days => ${FRESH_DAYS})
      order by s.published_at desc, s.id desc
      limit ${perSource}
    ),
    editorial as (
      select p.series_id, 'editorial' as source,
        1::float8 / row_number() over (order by min(p.position), min(p.id)) as score
      from editorial_picks p
      where p.starts_at <= ${at} and (p.ends_at is null or p.ends_at > ${at})
      group by p.series_id
      order by min(p.position), min(p.id)
      limit ${perSource}
    ),
    cowatch as (
      select n.series_id, 'cowatch' as source,
        coalesce(n.weight / nullif(max(n.weight) over (), 0), 0) as score
      from (
        select c.other_id as series_id,
          sum(c.weight * power(0.5::float8, ${ageDays(sql`c.updated_at`)} * 86400000
              / ${COWATCH_HALF_LIFE_MS}::float8)
            * power(${COWATCH_RANK_DECAY}::float8, r.i - 1)) as weight
        from viewer v
        cross join lateral unnest(v.recent_series[1:${COWATCH_RECENT}]) with ordinality
          as r(series_id, i)
        cross join lateral (select other_id, weight, updated_at from co_watch
          where series_id = r.series_id order by weight desc limit ${perSource}) c
        group by c.other_id
        order by weight desc, c.other_id
        limit ${perSource}
      ) n
    ),
    top_categories as (
      select a.key::int as category_id,
        a.value::text::float8 / nullif(max(a.value::text::float8) over (), 0) as share
      from viewer v cross join lateral jsonb_each(v.category_affinity) a
      where a.key ~ '^[0-9]{1,9}$' and jsonb_typeof(a.value) = 'number'
      order by a.value::text::float8 desc, a.key
      limit ${CATEGORY_TOP}
    ),
    category as (
      select b.series_id, 'category' as source, b.score
      from (
        select r.series_id,
          max(coalesce(t.share, 0) / (1 + 0.1 * (r.rank - 1))) as score
        from top_categories t
        cross join lateral (select series_id, rank from series_rankings
          where board = 'hot' and category_id = t.category_id
          order by rank limit ${perSource}) r
        group by r.series_id
        order by score desc, r.series_id
        limit ${perSource}
      ) b
    ),
    proposed as (
      select * from hot union all select * from fresh union all select * from editorial
      union all select * from cowatch union all select * from category
    ),
    entries as (
      select d.series_id, en.id as episode_id
      from (select distinct series_id from proposed) d
      join series s on s.id = d.series_id and ${published}
      cross join lateral ${firstPlayable(sql`d.series_id`, resumeOf(sql`d.series_id`), 1)} en
      where en.id <> all(${excluded})
    ),
    continuing as (
      select series_id, max(at) as at from (
        select series_id, updated_at as at from progress
        union all
        select target_id, updated_at from engagement_edges
        where user_id = ${viewerId} and kind = 'follow_up' and target_type = 'series' and present
      ) x
      group by series_id
      order by at desc, series_id
      limit ${continueSeries}
    ),
    continue_entries as (
      select c.series_id, en.id as episode_id, 'continue' as source,
        power(0.5::float8, ${ageDays(sql`c.at`)} / ${CONTINUE_HALF_LIFE_DAYS})
          * case when en.number = min(en.number) over (partition by c.series_id)
            then 1 else 0.5 end as score
      from continuing c
      join series s on s.id = c.series_id and ${published}
      cross join lateral ${firstPlayable(sql`c.series_id`, resumeOf(sql`c.series_id`), 2)} en
      where en.id <> all(${excluded})
    ),
    picked as (
      select en.episode_id, en.series_id, pr.source, pr.score
      from proposed pr join entries en on en.series_id = pr.series_id
      union all
      select episode_id, series_id, source, score from continue_entries
    ),
    backfill as (
      select en.id as episode_id, s.id as series_id, 'backfill' as source, 0::float8 as score
      from series s
      cross join lateral ${firstPlayable(sql`s.id`, resumeOf(sql`s.id`), 1, excluded)} en
      where ${published} and s.id not in (select series_id from picked)
      order by s.published_at desc, s.id desc
      limit ${perSource}
    )
    select episode_id, series_id, source, score from picked
    union all
    select episode_id, series_id, source, score from backfill`;
}

export async function generateCandidates(
  db: Database,
  viewerId: number | null,
  now: Date,
  options: GenerateOptions = {},
): Promise<Candidate[]> {
  const perSource = options.perSource ?? DEFAULT_PER_SOURCE;
  if (!Number.isInteger(perSource) || perSource < 1 || perSource > MAX_PER_SOURCE)
    throw new RangeError(`perSource must be an integer in [1, ${MAX_PER_SOURCE}]`);
  if (Number.isNaN(now.getTime())) throw new RangeError('generateCandidates: invalid date');
  if (viewerId !== null && (!Number.isInteger(viewerId) || viewerId < 1))
    throw new RangeError(`generateCandidates: not a viewer id: ${String(viewerId)}`);
  // No user has id 0 (ids are serial from 1): the viewer parts of the query find nothing for it.
  const rows = await selectTuples<CandidateRow>(
    db,
    candidatesSql(viewerId ?? 0, now, perSource, intArray(options.excludeEpisodes ?? [])),
    ['episode_id', 'series_id', 'source', 'score'],
  );
  return keepStrongest(
    rows.map(([episodeId, seriesId, source, rawScore]) => {
      const score = Number(rawScore ?? 0);
      return {
        episodeId: Number(episodeId),
        seriesId: Number(seriesId),
        source,
        sourceScore: Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0,
      };
    }),
  );
}
