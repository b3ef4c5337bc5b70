import type { Impression, Observations } from './observations.ts';

/**
 * The simulated platform's serving features: what a real platform computes from its logs (item
 * rates and popularity, the viewer's habits and tag affinity from their history, in-session
 * signals, co-watch), the simulator's counterpart of SERVING_FEATURES. Never the hidden tastes.
 */
export const SIM_FEATURES = [
  'item_log_impressions',
  'item_log_long_watches',
  'item_skip_rate',
  'item_long_rate',
  'item_mean_watch_ratio',
  'item_like_rate',
  'item_log_duration_s',
  'item_has_tags',
  'user_log_impressions',
  'user_log_long_watches',
  'user_skip_rate',
  'user_mean_watch_ratio',
  'cross_tag_watch_ratio',
  'cross_tag_skip_rate',
  'cross_tag_long_share',
  'cross_duration_gap',
  'cross_cowatch',
  'session_items',
  'session_recent_skips',
  'session_tag_seen',
  'session_tag_watch_ratio',
  'session_tag_skips',
] as const;
export const SIM_DIM = SIM_FEATURES.length;

/** Pseudo-counts pulling a rate toward its wider mean while it rests on few impressions. */
const PRIOR = 5;

interface TagTally {
  n: number;
  ratioSum: number;
  skips: number;
}

/**
 * Writes one feature row per item into `out` (items.length × SIM_DIM, row-major), for this viewer
 * at this point of their session. Per-page work (co-watch neighbours, the session's tag tallies)
 * is done once, not per item.
 */
export function writeFeatures(
  observations: Observations,
  viewer: number,
  session: readonly Impression[],
  items: ArrayLike<number>,
  out: Float32Array,
): void {
  const { catalog, totals } = observations;
  const globalSkip = (totals.skips + 1) / (totals.impressions + 2);
  const globalLong = (totals.long + 1) / (totals.impressions + 2);
  const globalRatio = (totals.ratioSum + 0.5) / (totals.impressions + 1);
  const globalLike = (totals.likes + 0.1) / (totals.impressions + 1);

  const userN = observations.viewerImpressions[viewer]!;
  const userLong = observations.viewerLong[viewer]!;
  const userSkip = (observations.viewerSkips[viewer]! + PRIOR * globalSkip) / (userN + PRIOR);
  const userRatio = (observations.viewerRatioSum[viewer]! + PRIOR * globalRatio) / (userN + PRIOR);
  const userLongLogDuration =
    userLong > 0 ? observations.viewerLongLogDuration[viewer]! / userLong : null;

  const neighbours = observations.neighbours(viewer);
  const sessionTags = new Map<number, TagTally>();
  for (const impression of session)
    for (const t of catalog.tags[impression.item]!) {
      const tally = sessionTags.get(t) ?? { n: 0, ratioSum: 0, skips: 0 };
      tally.n += 1;
      tally.ratioSum += impression.ratio;
      tally.skips += impression.skipped ? 1 : 0;
      sessionTags.set(t, tally);
    }
  let recentSkips = 0;
  for (let k = Math.max(0, session.length - 3); k < session.length; k += 1)
    recentSkips += session[k]!.skipped ? 1 : 0;

  for (let row = 0; row < items.length; row += 1) {
    const item = items[row]!;
    const n = observations.itemImpressions[item]!;
    const tags = catalog.tags[item]!;
    const logDuration = Math.log(catalog.durationS[item]!);

    let tagRatio = 0;
    let tagSkip = 0;
    let tagLong = 0;
    let seen = 0;
    let seenRatio = 0;
    let seenSkips = 0;
    for (const t of tags) {
      const [tn, tRatioSum, tSkips, tLong] = observations.viewerTagStats(viewer, t);
      tagRatio += (tRatioSum + PRIOR * userRatio) / (tn + PRIOR) - userRatio;
      tagSkip += (tSkips + PRIOR * userSkip) / (tn + PRIOR) - userSkip;
      tagLong += tLong;
      const tally = sessionTags.get(t);
      if (tally) {
        seen += tally.n;
        seenRatio += tally.ratioSum;
        seenSkips += tally.skips;
      }
    }
    const tagShare = tags.length > 0 ? 1 / tags.length : 0;

    const o = row * SIM_DIM;
    out[o] = Math.log1p(n);
    out[o + 1] = Math.log1p(observations.itemLong[item]!);
    out[o + 2] = (observations.itemSkips[item]! + PRIOR * globalSkip) / (n + PRIOR);
    out[o + 3] = (observations.itemLong[item]! + PRIOR * globalLong) / (n + PRIOR);
    out[o + 4] = (observations.itemRatioSum[item]! + PRIOR * globalRatio) / (n + PRIOR);
    out[o + 5] = (observations.itemLikes[item]! + PRIOR * globalLike) / (n + PRIOR);
    out[o + 6] = logDuration;
    out[o + 7] = tags.length > 0 ? 1 : 0;
    out[o + 8] = Math.log1p(userN);
    out[o + 9] = Math.log1p(userLong);
    out[o + 10] = userSkip;
    out[o + 11] = userRatio;
    out[o + 12] = tagRatio * tagShare;
    out[o + 13] = tagSkip * tagShare;
    out[o + 14] = Math.min(1, tagLong / (userLong + 1));
    out[o + 15] = userLongLogDuration === null ? 0 : Math.abs(logDuration - userLongLogDuration);
    out[o + 16] = Math.log1p(neighbours.get(item) ?? 0);
    out[o + 17] = session.length;
    out[o + 18] = recentSkips;
    out[o + 19] = seen;
    out[o + 20] = (seenRatio + userRatio) / (seen + 1);
    out[o + 21] = seenSkips;
  }
}
