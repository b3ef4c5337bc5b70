import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auc, ndcgAtK, weightedLogLoss } from './metrics.ts';
import { seededRandom } from './ranker-model.ts';

/** The definition: the share of (positive, negative) pairs ordered right, ties counting ½. O(n²). */
function pairwiseAuc(scores: number[], labels: number[], weights?: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < scores.length; i += 1) {
    if (!(labels[i]! > 0)) continue;
    for (let j = 0; j < scores.length; j += 1) {
      if (labels[j]! > 0) continue;
      const w = (weights?.[i] ?? 1) * (weights?.[j] ?? 1);
      den += w;
      if (scores[i]! > scores[j]!) num += w;
      else if (scores[i] === scores[j]) num += w / 2;
    }
  }
  return num / den;
}

test('auc: perfect, reversed, all tied, and no class', () => {
  assert.equal(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.equal(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  assert.equal(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 0.5);
  assert.ok(Number.isNaN(auc([0.1, 0.2], [1, 1])));
  assert.ok(Number.isNaN(auc([], [])));
  assert.throws(() => auc([1, 2], [1]), RangeError);
  assert.throws(() => auc([Number.NaN, 2], [1, 0]), /NaN/);
});

test('auc matches the pairwise definition, ties and weights included', () => {
  const random = seededRandom(11);
  for (let round = 0; round < 20; round += 1) {
    const n = 5 + Math.floor(random() * 60);
    // Few distinct scores, so ties are common.
    const scores = Array.from({ length: n }, () => Math.floor(random() * 6));
    const labels = Array.from({ length: n }, () => (random() < 0.4 ? 1 : 0));
    const weights = Array.from({ length: n }, () => 0.5 + random() * 3);
    if (!labels.includes(1) || !labels.includes(0)) continue;
    assert.ok(Math.abs(auc(scores, labels) - pairwiseAuc(scores, labels)) < 1e-12);
    assert.ok(Math.abs(auc(scores, labels, weights) - pairwiseAuc(scores, labels, weights)) < 1e-9);
  }
  // Typed arrays work as well as plain ones.
  assert.equal(auc(new Float32Array([1, 2, 3]), new Float32Array([0, 1, 1])), 1);
});

test('ndcgAtK: the ideal order scores 1, a worse order less, nothing relevant 0', () => {
  assert.equal(ndcgAtK([3, 2, 1], [1, 3, 2], 3), 1);
  const swapped = ndcgAtK([2, 3, 1], [3, 2, 1], 3);
  const expected = (2 + 3 / Math.log2(3) + 1 / 2) / (3 + 2 / Math.log2(3) + 1 / 2);
  assert.ok(Math.abs(swapped - expected) < 1e-12);
  // Only the first k count, on both sides.
  assert.equal(ndcgAtK([3, 0, 0, 2], [3, 2], 1), 1);
  assert.ok(ndcgAtK([3, 0, 0, 2], [3, 2], 4) < 1);
  // A relevant item the ranker left out lowers the score.
  assert.ok(ndcgAtK([1], [1, 1], 2) < 1);
  assert.equal(ndcgAtK([0, 0], [0, 0], 10), 0);
  assert.equal(ndcgAtK([], [], 10), 0);
  assert.throws(() => ndcgAtK([1], [1], 0), RangeError);
});

test('weightedLogLoss: matches the formula and survives huge logits', () => {
  const p = 1 / (1 + Math.exp(-0.5));
  const expected = (2 * -Math.log(p) + 1 * -Math.log(1 - p)) / 3;
  assert.ok(Math.abs(weightedLogLoss([0.5, 0.5], [1, 0], [2, 1]) - expected) < 1e-12);
  assert.ok(Math.abs(weightedLogLoss([1000, -1000], [1, 0])) < 1e-12);
  assert.equal(weightedLogLoss([1000], [0]), 1000);
  assert.ok(Number.isNaN(weightedLogLoss([], [])));
});
