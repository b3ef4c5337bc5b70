import type { Database } from '@binge/core/db';
import type { StoredWatchEvent } from '@binge/core/watch-events/event';
import { sql } from 'drizzle-orm';
import { COWATCH_HALF_LIFE_MS } from './co-watch.ts';
import {
  emptyUserFeatures,
  foldWatchEvents,
  type FoldEvent,
  type SeriesInfo,
  type UserFeatureState,
} from './event-fold.ts';
import { intArray, jsonRows, rowsOf, textArray } from './sql-params.ts';

/**
 * Keeps user_features, item_features and co_watch fresh from watch events. The event consumer
 * calls applyEventFeatures inside the transaction that stored the events, with only the events
 * that transaction newly inserted, so a replayed stream entry changes no feature twice; the
 * numbers themselves come from the pure fold in event-fold.ts.
 *
 * Per batch, whatever its size: two statements lock (creating when missing) the batch's
 * user_features rows, in user order so concurrent consumers cannot deadlock; one reads each
 * user's stored events of the last HISTORY_WINDOW_MS before the batch (the play still open when
 * it began); one reads the categories and tags of the series involved; then one statement each
 * writes the users, adds the item deltas and adds the co-watch gains. The user rows are written
 * whole from the locked values; the item and co-watch rows are added to, so they need no lock.
 * Rows for users, episodes or series deleted since the events were accepted are skipped (their
 * foreign keys would fail the consumer's transaction otherwise).
 */

/** How far back a user's open play is looked for (a play older than this is over). */
export const HISTORY_WINDOW_MS = 6 * 3_600_000;
/** Most stored events read per user to rebuild an open play. */
export const HISTORY_LIMIT = 200;

const epochMs = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000)::float8`);

interface UserRow {
  user_id: number;
  events: number;
  starts: number;
  completes: number;
  early_skips: number;
  likes: number;
  shares: number;
  watch_ms: number;
  completion_ewma: number;
  skip_ewma: number;
  category_affinity: Record<string, number> | null;
  tag_affinity: Record<string, number> | null;
  active_hours: number[] | null;
  recent_series: number[] | null;
  last_event_ms: number | null;
}

interface HistoryRow {
  user_id: number;
  type: FoldEvent['type'];
  episode_id: number;
  series_id: number;
  position_ms: number;
  duration_ms: number;
  from_ms: number | null;
  client_ms: number;
  received_ms: number;
}

async function lockUsers(tx: Database, userIds: number[]): Promise<Map<number, UserFeatureState>> {
  await tx.execute(sql`insert into user_features (user_id)
    select u.id from users u where u.id = any(${intArray(userIds)})
    order by u.id
    on conflict (user_id) do nothing`);
  const rows = await rowsOf<UserRow>(
    tx.execute(sql`select user_id, events, starts, completes, early_skips, likes, shares,
        watch_ms::float8 as watch_ms, completion_ewma, skip_ewma, category_affinity, tag_affinity,
        active_hours, recent_series, ${epochMs('last_event_at')} as last_event_ms
      from user_features where user_id = any(${intArray(userIds)})
      order by user_id
      for update`),
  );
  const users = new Map<number, UserFeatureState>();
  for (const row of rows) {
    const state = emptyUserFeatures();
    state.events = Number(row.events);
    state.starts = Number(row.starts);
    state.completes = Number(row.completes);
    state.earlySkips = Number(row.early_skips);
    state.likes = Number(row.likes);
    state.shares = Number(row.shares);
    state.watchMs = Number(row.watch_ms);
    state.completionEwma = Number(row.completion_ewma);
    state.skipEwma = Number(row.skip_ewma);
    state.categoryAffinity = { ...row.category_affinity };
    state.tagAffinity = { ...row.tag_affinity };
    (row.active_hours ?? []).slice(0, 24).forEach((n, hour) => {
      state.activeHours[hour] = Number(n);
    });
    state.recentSeries = (row.recent_series ?? []).map(Number);
    state.lastEventAt = row.last_event_ms === null ? null : Number(row.last_event_ms);
    users.set(Number(row.user_id), state);
  }
  return users;
}

async function readHistory(
  tx: Database,
  events: readonly StoredWatchEvent[],
): Promise<Map<number, FoldEvent[]>> {
  const firstAt = new Map<number, number>();
  for (const event of events)
    firstAt.set(event.userId, Math.min(firstAt.get(event.userId) ?? Infinity, event.receivedAt));
  const batch = [...firstAt].map(([user_id, first_ms]) => ({ user_id, first_ms }));
  const excluded = textArray(events.map((event) => event.id));
  const rows = await rowsOf<HistoryRow>(
    tx.execute(sql`select b.user_id, h.type, h.episode_id, h.series_id, h.position_ms,
        h.duration_ms, h.from_ms, h.client_ms, h.received_ms
      from jsonb_to_recordset(${jsonRows(batch)}) as b(user_id int, first_ms float8)
      cross join lateral (select to_timestamp(b.first_ms / 1000.0) as first_at,
          to_timestamp((b.first_ms - ${HISTORY_WINDOW_MS}) / 1000.0) as window_start) t
      left join lateral (
        select w.received_at from watch_events w
        where w.user_id = b.user_id and w.type = 'start'
          and w.received_at <= t.first_at and w.received_at > t.window_start
          and w.id <> all(${excluded})
        order by w.received_at desc
        limit 1
      ) s on true
      cross join lateral (
        select w.type, w.episode_id, w.series_id, w.position_ms, w.duration_ms, w.from_ms,
          ${epochMs('w.client_at')} as client_ms, ${epochMs('w.received_at')} as received_ms
        from watch_events w
        where w.user_id = b.user_id
          and w.received_at <= t.first_at
          and w.received_at >= coalesce(s.received_at, t.window_start)
          and w.received_at > t.window_start
          and w.id <> all(${excluded})
        order by w.received_at desc, w.client_at desc, w.id desc
        limit ${HISTORY_LIMIT}
      ) h`),
  );
  const history = new Map<number, FoldEvent[]>();
  for (const row of rows) {
    const userId = Number(row.user_id);
    const event: FoldEvent = {
      userId,
      type: row.type,
      episodeId: Number(row.episode_id),
      seriesId: Number(row.series_id),
      positionMs: Number(row.position_ms),
      durationMs: Number(row.duration_ms),
      fromMs: row.from_ms === null ? null : Number(row.from_ms),
      clientAt: Number(row.client_ms),
      receivedAt: Number(row.received_ms),
    };
    const list = history.get(userId);
    if (list) list.push(event);
    else history.set(userId, [event]);
  }
  // Read newest first (to take the latest HISTORY_LIMIT); the fold wants them oldest first.
  for (const list of history.values()) list.reverse();
  return history;
}

/** Category and tags of each series (series deleted since are absent). */
export async function readSeriesInfo(
  tx: Database,
  seriesIds: Iterable<number>,
): Promise<Map<number, SeriesInfo>> {
  const rows = await rowsOf<{ id: number; category_id: number; tag_ids: number[] | null }>(
    tx.execute(sql`select s.id, s.category_id,
        array(select t.tag_id from series_tags t where t.series_id = s.id order by t.tag_id) as tag_ids
      from series s where s.id = any(${intArray(new Set(seriesIds))})`),
  );
  return new Map(
    rows.map((row) => [
      Number(row.id),
      { categoryId: Number(row.category_id), tagIds: (row.tag_ids ?? []).map(Number) },
    ]),
  );
}

export async function applyEventFeatures(tx: Database, events: StoredWatchEvent[]): Promise<void> {
  if (events.length === 0) return;
  const userIds = [...new Set(events.map((event) => event.userId))].sort((a, b) => a - b);
  const users = await lockUsers(tx, userIds);
  const history = await readHistory(tx, events);
  const seriesIds = new Set(events.map((event) => event.seriesId));
  for (const list of history.values()) for (const event of list) seriesIds.add(event.seriesId);
  for (const state of users.values()) for (const id of state.recentSeries) seriesIds.add(id);
  const series = await readSeriesInfo(tx, seriesIds);

  const folded = foldWatchEvents({ users, history, events, series });

  const userRows = [...folded.users]
    .filter(([userId]) => users.has(userId))
    .map(([userId, state]) => ({
      user_id: userId,
      events: state.events,
      starts: state.starts,
      completes: state.completes,
      early_skips: state.earlySkips,
      likes: state.likes,
      shares: state.shares,
      watch_ms: state.watchMs,
      completion_ewma: state.completionEwma,
      skip_ewma: state.skipEwma,
      category_affinity: state.categoryAffinity,
      tag_affinity: state.tagAffinity,
      active_hours: state.activeHours,
      recent_series: state.recentSeries,
      last_event_ms: state.lastEventAt,
    }));
  if (userRows.length > 0)
    await tx.execute(sql`update user_features u set
        events = v.events, starts = v.starts, completes = v.completes,
        early_skips = v.early_skips, likes = v.likes, shares = v.shares, watch_ms = v.watch_ms,
        completion_ewma = v.completion_ewma, skip_ewma = v.skip_ewma,
        category_affinity = v.category_affinity, tag_affinity = v.tag_affinity,
        active_hours = v.active_hours, recent_series = v.recent_series,
        last_event_at = to_timestamp(v.last_event_ms / 1000.0), updated_at = now()
      from jsonb_to_recordset(${jsonRows(userRows)}) as v(user_id int, events int, starts int,
        completes int, early_skips int, likes int, shares int, watch_ms bigint,
        completion_ewma float8, skip_ewma float8, category_affinity jsonb, tag_affinity jsonb,
        active_hours int[], recent_series int[], last_event_ms float8)
      where u.user_id = v.user_id`);

  const itemRows = [...folded.items.values()]
    .filter((d) => d.starts || d.completes || d.earlySkips || d.likes || d.shares || d.watchMs)
    .sort((a, b) => a.episodeId - b.episodeId)
    .map((d) => ({
      episode_id: d.episodeId,
      starts: d.starts,
      completes: d.completes,
      early_skips: d.earlySkips,
      likes: d.likes,
      shares: d.shares,
      watch_ms: d.watchMs,
    }));
  if (itemRows.length > 0)
    await tx.execute(sql`insert into item_features as f (episode_id, series_id, starts,
        completes, early_skips, likes, shares, watch_ms, updated_at)
      select v.episode_id, e.series_id, v.starts, v.completes, v.early_skips, v.likes, v.shares,
        v.watch_ms, now()
      from jsonb_to_recordset(${jsonRows(itemRows)}) as v(episode_id int, starts int,
        completes int, early_skips int, likes int, shares int, watch_ms bigint)
      join episodes e on e.id = v.episode_id
      order by v.episode_id
      on conflict (episode_id) do update set
        starts = f.starts + excluded.starts, completes = f.completes + excluded.completes,
        early_skips = f.early_skips + excluded.early_skips, likes = f.likes + excluded.likes,
        shares = f.shares + excluded.shares, watch_ms = f.watch_ms + excluded.watch_ms,
        updated_at = excluded.updated_at`);

  const coWatchRows = [...folded.coWatch.values()]
    .filter((gain) => gain.seriesId !== gain.otherId && gain.weight > 0)
    .sort((a, b) => a.seriesId - b.seriesId || a.otherId - b.otherId)
    .map((gain) => ({
      series_id: gain.seriesId,
      other_id: gain.otherId,
      weight: gain.weight,
      at_ms: gain.atMs,
    }));
  if (coWatchRows.length > 0)
    await tx.execute(sql`insert into co_watch as c (series_id, other_id, weight, updated_at)
      select v.series_id, v.other_id, v.weight, to_timestamp(v.at_ms / 1000.0)
      from jsonb_to_recordset(${jsonRows(coWatchRows)}) as v(series_id int, other_id int,
        weight float8, at_ms float8)
      where v.series_id <> v.other_id
        and exists (select 1 from series s where s.id = v.series_id)
        and exists (select 1 from series s where s.id = v.other_id)
      order by v.series_id, v.other_id
      on conflict (series_id, other_id) do update set
        weight = c.weight * power(0.5::float8,
            greatest(0::float8, extract(epoch from (excluded.updated_at - c.updated_at))::float8)
              * 1000 / ${COWATCH_HALF_LIFE_MS}::float8)
          + excluded.weight,
        updated_at = greatest(c.updated_at, excluded.updated_at)`);
}

/**
 * Counts served feed entries as impressions of their episodes (the denominators of the start
 * rates). One statement; entries of episodes deleted since are skipped.
 */
export async function recordImpressions(
  tx: Database,
  entries: { episodeId: number; seriesId: number }[],
): Promise<void> {
  const counts = new Map<number, number>();
  for (const { episodeId } of entries) {
    if (!Number.isInteger(episodeId) || episodeId < 1 || episodeId > 2_147_483_647)
      throw new RangeError(`recordImpressions: not an episode id: ${String(episodeId)}`);
    counts.set(episodeId, (counts.get(episodeId) ?? 0) + 1);
  }
  if (counts.size === 0) return;
  const rows = [...counts]
    .sort((a, b) => a[0] - b[0])
    .map(([episode_id, n]) => ({ episode_id, n }));
  await tx.execute(sql`insert into item_features as f (episode_id, series_id, impressions, updated_at)
    select v.episode_id, e.series_id, v.n, now()
    from jsonb_to_recordset(${jsonRows(rows)}) as v(episode_id int, n int)
    join episodes e on e.id = v.episode_id
    order by v.episode_id
    on conflict (episode_id) do update set
      impressions = f.impressions + excluded.impressions, updated_at = excluded.updated_at`);
}
