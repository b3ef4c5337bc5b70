import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CANDIDATE_SOURCES } from '@binge/core/feed/feed-service';
import {
  featureValues,
  ITEM_PRIORS,
  NO_CROSS,
  USER_PRIORS,
  writeFeatureRow,
  type ItemInputs,
} from './feature-row.ts';
import { SERVING_DIM, SERVING_FEATURES } from './spec.ts';

const newItem: ItemInputs = {
  impressions: 0,
  starts: 0,
  completes: 0,
  earlySkips: 0,
  likes: 0,
  shares: 0,
  watchMs: 0,
  durationMs: 90_000,
  ageDays: 0,
  episodeNumber: 1,
  isFree: true,
  seriesViews: 0,
};

test('a new item sits at the priors, neither 0 nor 1', () => {
  const v = featureValues(newItem, null, NO_CROSS, 'fresh');
  assert.equal(v.item_start_rate, ITEM_PRIORS.start.mean);
  assert.equal(v.item_completion_rate, ITEM_PRIORS.completion.mean);
  assert.equal(v.item_early_skip_rate, ITEM_PRIORS.earlySkip.mean);
  assert.equal(v.item_like_rate, ITEM_PRIORS.like.mean);
  assert.equal(v.item_mean_watch_ratio, ITEM_PRIORS.watchRatio.mean);
  assert.equal(v.user_is_new, 1);
  assert.equal(v.user_completion_ewma, USER_PRIORS.completion);
  assert.equal(v.src_fresh, 1);
});

test('observed counts pull the rates from the priors by their weight', () => {
  const v = featureValues(
    { ...newItem, impressions: 10, starts: 5, completes: 5, earlySkips: 0, watchMs: 450_000 },
    { events: 40, starts: 10, completionEwma: 0.8, skipEwma: 0.1 },
    NO_CROSS,
    'hot',
  );
  assert.ok(Math.abs(v.item_start_rate - (5 + 20 * 0.3) / (10 + 20)) < 1e-12);
  assert.ok(Math.abs(v.item_completion_rate - (5 + 10 * 0.35) / (5 + 10)) < 1e-12);
  assert.ok(Math.abs(v.item_early_skip_rate - (10 * 0.2) / 15) < 1e-12);
  // 450 s watched over 5 starts of a 90 s episode: a watch ratio of 1 per start.
  assert.ok(Math.abs(v.item_mean_watch_ratio - (5 + 10 * 0.4) / 15) < 1e-12);
  assert.equal(v.user_is_new, 0);
  assert.equal(v.user_completion_ewma, 0.8);
  assert.ok(Math.abs(v.user_log_events - Math.log1p(40)) < 1e-12);
});

test('rows are written in SERVING_FEATURES order, finite even from garbage', () => {
  const x = new Float32Array(CANDIDATE_SOURCES.length * SERVING_DIM);
  CANDIDATE_SOURCES.forEach((source, row) =>
    writeFeatureRow(
      x,
      row,
      {
        ...newItem,
        impressions: NaN,
        starts: -4,
        watchMs: Infinity,
        durationMs: 0,
        ageDays: -3,
        episodeNumber: 1e9,
      },
      { events: NaN, starts: 5, completionEwma: Infinity, skipEwma: -1 },
      { ...NO_CROSS, categoryAffinity: 7, coWatch: NaN, hourActivity: -1 },
      source,
    ),
  );
  for (const value of x) assert.ok(Number.isFinite(value));
  CANDIDATE_SOURCES.forEach((source, row) => {
    const values = featureValues(newItem, null, NO_CROSS, source);
    for (const name of SERVING_FEATURES.filter((n) => n.startsWith('src_')))
      assert.equal(
        x[row * SERVING_DIM + SERVING_FEATURES.indexOf(name)],
        name === `src_${source}` ? 1 : 0,
      );
    assert.equal(
      Object.keys(values).join(),
      SERVING_FEATURES.join(),
      'every serving feature, in spec order',
    );
  });
  const at = (name: (typeof SERVING_FEATURES)[number]) => x[SERVING_FEATURES.indexOf(name)];
  assert.equal(at('cross_category_affinity'), 1);
  assert.equal(at('item_episode_number'), 200);
  assert.equal(at('item_log_age_days'), 0);
});
