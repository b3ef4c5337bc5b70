import { FEATURE_INDEX } from './feature-row.ts';
import { SERVING_DIM } from './spec.ts';

/**
 * The score the feed falls back to when no model is loaded: an expected watch time in seconds
 * read off the serving vector, the quantity the model predicts.
 *
 *   base  = P(start) · mean watch ratio · duration (s) · (1 − ½ · early-skip rate)
 *   score = base · affinity · continuation · freshness · popularity
 *
 * affinity     = 1 + 2 · category share + 2 · tag share + ½ · co-watch + ½ · series recency
 * continuation = 1 + 1.5 · follows the series + 1.5 · is the next episode + 1 · continue source
 * freshness    = 1 + ⅓ · e^(−age in days / 3)        (a new upload gets a short-lived lift)
 * popularity   = 1 + 0.05 · ln(1 + series views)
 *
 * The item rates are already smoothed towards their priors (feature-row.ts), so a new episode
 * scores like an average one of its length rather than 0.
 */
export const HEURISTIC_WEIGHTS = {
  earlySkip: 0.5,
  categoryAffinity: 2,
  tagAffinity: 2,
  coWatch: 0.5,
  seriesRecent: 0.5,
  follows: 1.5,
  isNextEpisode: 1.5,
  continueSource: 1,
  freshness: 1 / 3,
  freshnessDays: 3,
  popularity: 0.05,
} as const;

export function heuristicScores(x: Float32Array, rows: number): Float32Array {
  if (!Number.isInteger(rows) || rows < 0 || x.length < rows * SERVING_DIM)
    throw new RangeError(`heuristicScores: ${x.length} values do not hold ${rows} rows`);
  const w = HEURISTIC_WEIGHTS;
  const f = FEATURE_INDEX;
  const scores = new Float32Array(rows);
  for (let r = 0; r < rows; r += 1) {
    const at = (index: number) => {
      const value = x[r * SERVING_DIM + index]!;
      return Number.isFinite(value) ? value : 0;
    };
    const durationS = Math.expm1(at(f.item_log_duration_s));
    const ageDays = Math.expm1(at(f.item_log_age_days));
    const base =
      at(f.item_start_rate) *
      at(f.item_mean_watch_ratio) *
      durationS *
      (1 - w.earlySkip * at(f.item_early_skip_rate));
    const affinity =
      1 +
      w.categoryAffinity * at(f.cross_category_affinity) +
      w.tagAffinity * at(f.cross_tag_affinity) +
      w.coWatch * at(f.cross_cowatch) +
      w.seriesRecent * at(f.cross_series_recent);
    const continuation =
      1 +
      w.follows * at(f.cross_follows_series) +
      w.isNextEpisode * at(f.cross_is_next_episode) +
      w.continueSource * at(f.src_continue);
    const freshness = 1 + w.freshness * Math.exp(-Math.max(0, ageDays) / w.freshnessDays);
    const popularity = 1 + w.popularity * at(f.item_log_series_popularity);
    const score = base * affinity * continuation * freshness * popularity;
    scores[r] = Number.isFinite(score) && score > 0 ? score : 0;
  }
  return scores;
}
