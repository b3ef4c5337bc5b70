/**
 * The feature vector the serving model scores, in order. Serving builds it from user_features,
 * item_features, co_watch and the catalog (feed-ranker/src/features/vector.ts); the same vector is
 * logged with each impression (feed_impressions.features) and training reads it back from there,
 * so what the model learns on is exactly what it was served with.
 *
 * Changing this list changes the model's input: a stored model whose featureNames differ is not
 * loaded (the registry falls back to the heuristic until a model is trained on the new list).
 */
export const SERVING_FEATURES = [
  // item: smoothed rates from watch events and impressions
  'item_log_impressions',
  'item_start_rate',
  'item_completion_rate',
  'item_early_skip_rate',
  'item_like_rate',
  'item_share_rate',
  'item_mean_watch_ratio',
  'item_log_duration_s',
  'item_log_age_days',
  'item_episode_number',
  'item_is_free',
  'item_log_series_popularity',
  // user: habits
  'user_log_events',
  'user_completion_ewma',
  'user_skip_ewma',
  'user_is_new',
  // cross: this user with this item
  'cross_category_affinity',
  'cross_tag_affinity',
  'cross_series_recent',
  'cross_series_progress',
  'cross_follows_series',
  'cross_is_next_episode',
  'cross_hour_activity',
  'cross_cowatch',
  // the candidate's source, one-hot
  'src_hot',
  'src_continue',
  'src_cowatch',
  'src_category',
  'src_fresh',
  'src_editorial',
  'src_backfill',
] as const;
export type ServingFeature = (typeof SERVING_FEATURES)[number];
export const SERVING_DIM = SERVING_FEATURES.length;
