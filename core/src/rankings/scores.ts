import type { ActivityField } from './activity.ts';

/**
 * The scores of the ranking boards, as pure functions. The refresh computes the same expressions
 * in SQL (store-sql.ts); scores.test.ts pins the two together on both databases.
 *
 * hot: time-decayed engagement. Each hourly bucket of series_activity_hourly in the window
 * contributes its weighted counts times 2^(−age / half-life), where the age is taken from the
 * middle of the bucket's hour (the expected time of an event in it) and is never negative:
 *
 *   score = max(0, Σ_buckets Σ_fields weight(field) · count · 2^(−max(0, now − (hour + 30 min)) / 24 h))
 *
 * A bucket counts while its hour started within the last 7 days and not after `now`. The weights
 * rank what costs a viewer more above what costs less: a view 1, a like 3, a favourite and a
 * comment 4, a follow-up (追剧, a commitment to come back) 5, a share (it brings new viewers) 6.
 * With a 24 h half-life a burst is worth half as much a day later and 1/128 after the 7-day
 * window, where it drops out. An unlike subtracts from the bucket of its own hour, so a like
 * undone hours later can leave a small negative remainder; the floor at 0 keeps such a series from
 * ranking below one nobody touched.
 *
 * new: the publication time, newest first (score = unix seconds of publishedAt).
 *
 * rating: the Bayesian average of the visible reviews, pulled towards the mean rating of the
 * whole catalog by a prior worth 5 reviews, so a single 5-star review does not top a series with
 * two hundred 4.8s:  score = (C · m + ratingSum) / (C + reviews).
 */
export const HOT_WEIGHTS = {
  views: 1,
  likes: 3,
  favourites: 4,
  followUps: 5,
  shares: 6,
  comments: 4,
} as const satisfies Record<ActivityField, number>;

export const HOT_HALF_LIFE_HOURS = 24;
export const HOT_WINDOW_HOURS = 7 * 24;
/** Where in its hour a bucket's events are taken to have happened. */
export const BUCKET_MIDPOINT_MS = 30 * 60 * 1000;

/** The prior of the rating board: worth this many reviews, at the catalog's mean rating. */
export const RATING_PRIOR_WEIGHT = 5;
/** The prior's mean while no series has a review yet: the middle of the 1–5 scale. */
export const RATING_DEFAULT_MEAN = 3;

const HOUR_MS = 3_600_000;

export type ActivityCounts = Record<ActivityField, number>;

export interface HourlyActivity extends Partial<ActivityCounts> {
  /** The start of the bucket's UTC hour. */
  hour: Date;
}

/** The weighted engagement of one bucket, before decay. */
export function engagementOf(counts: Partial<ActivityCounts>): number {
  let total = 0;
  for (const field of Object.keys(HOT_WEIGHTS) as ActivityField[])
    total += HOT_WEIGHTS[field] * (counts[field] ?? 0);
  return total;
}

/** 2^(−age / half-life), with a negative age (an event "in the future") counted as now. */
export function decayFactor(ageMs: number): number {
  return 2 ** (-Math.max(0, ageMs) / (HOT_HALF_LIFE_HOURS * HOUR_MS));
}

/** Whether a bucket starting at `hour` is inside the hot window at `now`. */
export function inHotWindow(hour: Date, now: Date): boolean {
  const start = now.getTime() - HOT_WINDOW_HOURS * HOUR_MS;
  return hour.getTime() >= start && hour.getTime() <= now.getTime();
}

/** The hot score of one series from its hourly buckets (those outside the window are ignored). */
export function hotScore(buckets: readonly HourlyActivity[], now: Date): number {
  let score = 0;
  for (const bucket of buckets) {
    if (!inHotWindow(bucket.hour, now)) continue;
    const age = now.getTime() - (bucket.hour.getTime() + BUCKET_MIDPOINT_MS);
    score += engagementOf(bucket) * decayFactor(age);
  }
  return Math.max(0, score);
}

/** The rating board's score: the series' mean rating shrunk towards `priorMean`. */
export function bayesianRating(reviews: number, ratingSum: number, priorMean: number): number {
  return (RATING_PRIOR_WEIGHT * priorMean + ratingSum) / (RATING_PRIOR_WEIGHT + reviews);
}
