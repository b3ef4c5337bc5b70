import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { seriesActivityHourly } from '../db/schema.ts';

/**
 * The hourly engagement buckets the hot ranking reads (series_activity_hourly). Every store that
 * records an engagement (a like, a favourite, a follow-up, a share, a comment, a view) adds to its
 * series' bucket of the hour, in the same transaction as the engagement itself, so the ranking
 * never counts what was rolled back.
 */
export type ActivityField = 'views' | 'likes' | 'favourites' | 'followUps' | 'shares' | 'comments';

const columns = {
  views: seriesActivityHourly.views,
  likes: seriesActivityHourly.likes,
  favourites: seriesActivityHourly.favourites,
  followUps: seriesActivityHourly.followUps,
  shares: seriesActivityHourly.shares,
  comments: seriesActivityHourly.comments,
} as const satisfies Record<ActivityField, unknown>;

/** The start of the UTC hour that `at` falls in. */
export function hourOf(at: Date): Date {
  const hour = new Date(at.getTime());
  hour.setUTCMinutes(0, 0, 0);
  return hour;
}

/**
 * Adds `delta` to one field of the series' bucket for the hour of `at` (negative for an unlike:
 * the bucket of this hour goes down even if the like was counted in an earlier one, so the sum
 * over the window stays what is live). Pass the transaction that records the engagement.
 */
export async function bumpSeriesActivity(
  db: Pick<Database, 'insert'>,
  seriesId: number,
  field: ActivityField,
  delta: number,
  at: Date = new Date(),
): Promise<void> {
  if (!Number.isInteger(delta) || delta === 0) return;
  const column = columns[field];
  await db
    .insert(seriesActivityHourly)
    .values({ seriesId, hour: hourOf(at), [field]: delta })
    .onConflictDoUpdate({
      target: [seriesActivityHourly.seriesId, seriesActivityHourly.hour],
      set: { [field]: sql`${column} + ${delta}` },
    });
}
