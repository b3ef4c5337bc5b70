import { sql, type SQL } from 'drizzle-orm';
import { series, seriesCounters } from '../db/schema.ts';

/**
 * Hot-list score with time decay, in the style of Hacker News: engagement over age to the power
 * 1.5, so a fresh series with some traction outranks an old one with more. Likes weigh five views;
 * the +1 keeps new, untouched series ordered by age and the +2 hours tempers the first hours.
 *
 * It lives in core because two services rank by it: the API's /lists/hot and the realtime
 * gateway's feed pages (until the ranker replaces them), and services never import each other.
 * hotScoreSql is the same expression in SQL; hot-score.test.ts pins the two together.
 */
export const HOT_LIKE_WEIGHT = 5;
export const HOT_AGE_OFFSET_HOURS = 2;
export const HOT_GRAVITY = 1.5;

export function hotScore(views: number, likes: number, ageHours: number): number {
  const age = Math.max(0, ageHours);
  return (views + HOT_LIKE_WEIGHT * likes + 1) / (age + HOT_AGE_OFFSET_HOURS) ** HOT_GRAVITY;
}

/**
 * The SQL twin of {@link hotScore}, evaluated at `now`. The query must select from `series` and
 * left-join `series_counters` on the series id: a series without a counters row scores as untouched.
 */
export function hotScoreSql(now: Date): SQL<number> {
  return sql<number>`(coalesce(${seriesCounters.views}, 0) + ${HOT_LIKE_WEIGHT} * coalesce(${seriesCounters.likes}, 0) + 1)::float8
    / power(greatest(extract(epoch from (${now.toISOString()}::timestamptz - ${series.publishedAt})) / 3600, 0) + ${HOT_AGE_OFFSET_HOURS}, ${HOT_GRAVITY})`;
}
