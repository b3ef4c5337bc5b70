import type { CandidateSource } from '@binge/core/feed/feed-service';
import { SERVING_DIM, SERVING_FEATURES, type ServingFeature } from './spec.ts';

/**
 * One serving feature row from plain numbers (vector.ts gathers them from the database). Every
 * value is finite whatever comes in: counts that are missing, negative or not numbers count as 0.
 *
 * Item rates are smoothed with additive (Beta) priors worth a fixed number of trials, so an
 * episode nobody has seen yet sits at the catalog-wide prior instead of 0 or 1, and one lucky
 * start does not make a 100 % start rate:
 *
 *   rate = (successes + PRIOR.weight · PRIOR.mean) / (trials + PRIOR.weight)
 *
 * with impressions as the trials of starts, and starts as the trials of completions, early skips,
 * likes, shares and the mean watch ratio (watched ms / duration per start).
 */
export const ITEM_PRIORS = {
  start: { mean: 0.3, weight: 20 },
  completion: { mean: 0.35, weight: 10 },
  earlySkip: { mean: 0.2, weight: 10 },
  like: { mean: 0.04, weight: 20 },
  share: { mean: 0.01, weight: 50 },
  watchRatio: { mean: 0.4, weight: 10 },
} as const;

/** A viewer's habits before they have finished a play (the population's, roughly). */
export const USER_PRIORS = { completion: 0.35, skip: 0.2 } as const;
/** Fewer started plays than this and a viewer counts as new. */
export const NEW_USER_STARTS = 3;
/** Episode numbers above this are all "deep in a series". */
export const MAX_EPISODE_NUMBER = 200;

export interface ItemInputs {
  impressions: number;
  starts: number;
  completes: number;
  earlySkips: number;
  likes: number;
  shares: number;
  watchMs: number;
  durationMs: number;
  ageDays: number;
  episodeNumber: number;
  isFree: boolean;
  seriesViews: number;
}

export interface ViewerInputs {
  events: number;
  starts: number;
  completionEwma: number;
  skipEwma: number;
}

export interface CrossInputs {
  /** This category's share of the viewer's category affinity, 0..1. */
  categoryAffinity: number;
  /** The share of the viewer's tag affinity on this series' tags, 0..1. */
  tagAffinity: number;
  /** 1 / (1 + place) in the viewer's recent series, 0 when absent. */
  seriesRecent: number;
  /** Furthest episode watched / episodes in the series, 0..1. */
  seriesProgress: number;
  follows: boolean;
  isNextEpisode: boolean;
  /** Share of the viewer's started plays that fell in the current UTC hour, 0..1. */
  hourActivity: number;
  /** Summed decayed co-watch weight from the viewer's recent series to this one. */
  coWatch: number;
}

/** No cross signal: an anonymous viewer, or one the ranker knows nothing about. */
export const NO_CROSS: CrossInputs = {
  categoryAffinity: 0,
  tagAffinity: 0,
  seriesRecent: 0,
  seriesProgress: 0,
  follows: false,
  isNextEpisode: false,
  hourActivity: 0,
  coWatch: 0,
};

const count = (value: number) => (Number.isFinite(value) && value > 0 ? value : 0);
const unit = (value: number) => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
const smoothed = (successes: number, trials: number, prior: { mean: number; weight: number }) =>
  unit((count(successes) + prior.weight * prior.mean) / (count(trials) + prior.weight));

export const FEATURE_INDEX: Readonly<Record<ServingFeature, number>> = Object.fromEntries(
  SERVING_FEATURES.map((name, i) => [name, i]),
) as Record<ServingFeature, number>;

export function featureValues(
  item: ItemInputs,
  viewer: ViewerInputs | null,
  cross: CrossInputs,
  source: CandidateSource,
): Record<ServingFeature, number> {
  const duration = count(item.durationMs);
  const watchRatioSum = duration > 0 ? count(item.watchMs) / duration : 0;
  const viewerStarts = viewer ? count(viewer.starts) : 0;
  const played = viewerStarts > 0;
  return {
    item_log_impressions: Math.log1p(count(item.impressions)),
    item_start_rate: smoothed(item.starts, item.impressions, ITEM_PRIORS.start),
    item_completion_rate: smoothed(item.completes, item.starts, ITEM_PRIORS.completion),
    item_early_skip_rate: smoothed(item.earlySkips, item.starts, ITEM_PRIORS.earlySkip),
    item_like_rate: smoothed(item.likes, item.starts, ITEM_PRIORS.like),
    item_share_rate: smoothed(item.shares, item.starts, ITEM_PRIORS.share),
    item_mean_watch_ratio:
      duration > 0
        ? smoothed(watchRatioSum, item.starts, ITEM_PRIORS.watchRatio)
        : ITEM_PRIORS.watchRatio.mean,
    item_log_duration_s: Math.log1p(duration / 1000),
    item_log_age_days: Math.log1p(count(item.ageDays)),
    item_episode_number: Math.min(MAX_EPISODE_NUMBER, Math.max(1, count(item.episodeNumber))),
    item_is_free: item.isFree ? 1 : 0,
    item_log_series_popularity: Math.log1p(count(item.seriesViews)),
    user_log_events: viewer ? Math.log1p(count(viewer.events)) : 0,
    user_completion_ewma: played ? unit(viewer!.completionEwma) : USER_PRIORS.completion,
    user_skip_ewma: played ? unit(viewer!.skipEwma) : USER_PRIORS.skip,
    user_is_new: viewerStarts < NEW_USER_STARTS ? 1 : 0,
    cross_category_affinity: unit(cross.categoryAffinity),
    cross_tag_affinity: unit(cross.tagAffinity),
    cross_series_recent: unit(cross.seriesRecent),
    cross_series_progress: unit(cross.seriesProgress),
    cross_follows_series: cross.follows ? 1 : 0,
    cross_is_next_episode: cross.isNextEpisode ? 1 : 0,
    cross_hour_activity: unit(cross.hourActivity),
    cross_cowatch: Math.log1p(count(cross.coWatch)),
    src_hot: source === 'hot' ? 1 : 0,
    src_continue: source === 'continue' ? 1 : 0,
    src_cowatch: source === 'cowatch' ? 1 : 0,
    src_category: source === 'category' ? 1 : 0,
    src_fresh: source === 'fresh' ? 1 : 0,
    src_editorial: source === 'editorial' ? 1 : 0,
    src_backfill: source === 'backfill' ? 1 : 0,
  };
}

/** Writes one row at `row` of `x` (rows × SERVING_DIM), in SERVING_FEATURES order. */
export function writeFeatureRow(
  x: Float32Array,
  row: number,
  item: ItemInputs,
  viewer: ViewerInputs | null,
  cross: CrossInputs,
  source: CandidateSource,
): void {
  const values = featureValues(item, viewer, cross, source);
  const offset = row * SERVING_DIM;
  for (let i = 0; i < SERVING_DIM; i += 1) x[offset + i] = values[SERVING_FEATURES[i]!];
}
