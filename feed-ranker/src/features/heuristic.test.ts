import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CandidateSource } from '@binge/core/feed/feed-service';
import {
  featureValues,
  NO_CROSS,
  writeFeatureRow,
  type CrossInputs,
  type ItemInputs,
  type ViewerInputs,
} from './feature-row.ts';
import { heuristicScores } from './heuristic.ts';
import { SERVING_DIM, SERVING_FEATURES } from './spec.ts';

const item: ItemInputs = {
  impressions: 200,
  starts: 80,
  completes: 40,
  earlySkips: 10,
  likes: 5,
  shares: 1,
  watchMs: 80 * 50_000,
  durationMs: 90_000,
  ageDays: 20,
  episodeNumber: 1,
  isFree: true,
  seriesViews: 1_000,
};
const viewer: ViewerInputs = { events: 300, starts: 60, completionEwma: 0.5, skipEwma: 0.2 };

type Row = [ItemInputs, ViewerInputs | null, CrossInputs, CandidateSource];

function score(rows: Row[]): Float32Array {
  const x = new Float32Array(rows.length * SERVING_DIM);
  rows.forEach(([itemInputs, viewerInputs, cross, source], r) =>
    writeFeatureRow(x, r, itemInputs, viewerInputs, cross, source),
  );
  return heuristicScores(x, rows.length);
}

test('an item of the viewer’s favourite category and tags beats an identical stranger', () => {
  const [affine, stranger] = score([
    [item, viewer, { ...NO_CROSS, categoryAffinity: 0.7, tagAffinity: 0.4 }, 'hot'],
    [item, viewer, NO_CROSS, 'hot'],
  ]);
  assert.ok(affine! > stranger!, `${affine} > ${stranger}`);
});

test('the next episode of a followed series beats the same item cold', () => {
  const [next, cold] = score([
    [item, viewer, { ...NO_CROSS, follows: true, isNextEpisode: true }, 'continue'],
    [item, viewer, NO_CROSS, 'hot'],
  ]);
  assert.ok(next! > cold!);
});

test('more starts and watch time score higher; early skips lower; new items are not 0', () => {
  const [good, skipped, unseen] = score([
    [{ ...item, starts: 150 }, viewer, NO_CROSS, 'hot'],
    [{ ...item, earlySkips: 70, watchMs: 80 * 10_000 }, viewer, NO_CROSS, 'hot'],
    [
      { ...item, impressions: 0, starts: 0, completes: 0, earlySkips: 0, likes: 0, watchMs: 0 },
      null,
      NO_CROSS,
      'fresh',
    ],
  ]);
  const [base] = score([[item, viewer, NO_CROSS, 'hot']]);
  assert.ok(good! > base!);
  assert.ok(skipped! < base!);
  assert.ok(unseen! > 0);
});

test('matches the documented formula on one row, and refuses a short buffer', () => {
  const values = featureValues(item, viewer, NO_CROSS, 'hot');
  const expected =
    values.item_start_rate *
    values.item_mean_watch_ratio *
    90 *
    (1 - 0.5 * values.item_early_skip_rate) *
    (1 + Math.exp(-20 / 3) / 3) *
    (1 + 0.05 * Math.log1p(1_000));
  const [actual] = score([[item, viewer, NO_CROSS, 'hot']]);
  assert.ok(Math.abs(actual! - expected) / expected < 1e-5, `${actual} vs ${expected}`);
  assert.throws(() => heuristicScores(new Float32Array(SERVING_DIM), 2), RangeError);
  assert.equal(SERVING_FEATURES.length, SERVING_DIM);
});
