import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupByUser, rankerMetrics, type TestRows } from './user-metrics.ts';

// Users 7 (rows 0-3), 8 (rows 4-5) and 9 (rows 6-7, no long view).
const rows: TestRows = {
  user: Int32Array.from([7, 7, 7, 7, 8, 8, 9, 9]),
  longView: Uint8Array.from([1, 0, 0, 1, 0, 1, 0, 0]),
  ratio: Float64Array.from([1.0, 0.2, 0.1, 0.9, 0.4, Number.NaN, 0.5, Number.NaN]),
  tieBreak: Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.3, 0.7, 0.5, 0.6]),
};
const scores = [0.9, 0.8, 0.1, 0.2, 0.5, 0.5, 0.3, 0.6];
const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} is not ${expected}`);

test('users are grouped, and those without a long view counted apart', () => {
  const groups = groupByUser(rows);
  assert.deepEqual(groups.rows, [
    [0, 1, 2, 3],
    [4, 5],
    [6, 7],
  ]);
  assert.equal(groups.withPositive, 2);
  assert.equal(groups.withoutPositive, 1);
});

test('metrics against hand-computed values', () => {
  const groups = groupByUser(rows);
  const at10 = rankerMetrics(scores, rows, groups, 10);
  // Positives 0.9, 0.2, 0.5 against negatives 0.8, 0.1, 0.5, 0.3, 0.6: 5 + 1 + 2.5 of 15 pairs.
  close(at10.auc, 8.5 / 15);
  // User 7 is served rows 0, 1, 3, 2: relevances 1 0 1 0, DCG 1 + 1/log2(4) over the ideal
  // 1 + 1/log2(3). User 8's tie at 0.5 goes to row 5 (larger tie-break key): relevances 1 0, NDCG
  // 1. User 9 has no long view and is not averaged in.
  close(at10.ndcg, ((1 + 1 / 2) / (1 + 1 / Math.log2(3)) + 1) / 2);
  // Top 10 is everything: user 7 (1 + .2 + .1 + .9) / 4, user 8 .4 (row 5's duration unknown),
  // user 9 .5.
  close(at10.watchRatioTop, (0.55 + 0.4 + 0.5) / 3);

  const at2 = rankerMetrics(scores, rows, groups, 2);
  close(at2.ndcg, (1 / (1 + 1 / Math.log2(3)) + 1) / 2);
  // Top 2: user 7 rows 0, 1 → .6; user 8 rows 5, 4 → .4; user 9 rows 7, 6 → .5.
  close(at2.watchRatioTop, 0.5);
});

test('a ranker that scores everything alike gets AUC ½ and the tie-break order', () => {
  const groups = groupByUser(rows);
  const flat = rankerMetrics(new Array(8).fill(1), rows, groups, 1);
  assert.equal(flat.auc, 0.5);
  // Tie-break order: user 7 is served row 3 first (key .4), a long view; user 8 row 5, one too.
  assert.equal(flat.ndcg, 1);
  assert.throws(() => rankerMetrics([1, 2], rows, groups, 10), /2 scores for 8 test rows/);
});
