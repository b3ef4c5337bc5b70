import { auc, ndcgAtK } from '../model/metrics.ts';

/**
 * The offline evaluation's measures of one ranker over the test rows:
 *
 * - AUC of long_view over all test rows (`auc` of model/metrics.ts);
 * - NDCG@k per user, relevance = long_view (0/1), each user's test rows ranked by the score,
 *   averaged over users with at least one long view (the others are counted, not averaged in:
 *   every order of nothing relevant is equally good);
 * - mean watch ratio of each user's top k (rows with a known duration; capped ratios), averaged
 *   over users with at least one such row in their top k.
 *
 * Ties in a ranker's scores are broken by one shared seeded random key, never by row order: a
 * ranker that cannot tell items apart (popularity on never-seen videos) then scores as a random
 * order would, not as the file's order happens to.
 */

export interface TestRows {
  user: Int32Array;
  longView: Uint8Array;
  /** Capped watch ratio; NaN when the duration is unknown. */
  ratio: Float64Array;
  /** Random tie-break key per row, the same for every ranker. */
  tieBreak: Float64Array;
}

export interface RankerMetrics {
  auc: number;
  ndcg: number;
  watchRatioTop: number;
}

export interface UserGroups {
  /** Test row indexes of each user, in row order. */
  rows: number[][];
  /** Users with at least one long view in the test rows. */
  withPositive: number;
  withoutPositive: number;
}

export function groupByUser(test: TestRows): UserGroups {
  const byUser = new Map<number, number[]>();
  for (let i = 0; i < test.user.length; i += 1) {
    const user = test.user[i]!;
    let rows = byUser.get(user);
    if (!rows) {
      rows = [];
      byUser.set(user, rows);
    }
    rows.push(i);
  }
  const rows = [...byUser.values()];
  const withPositive = rows.filter((r) => r.some((i) => test.longView[i] === 1)).length;
  return { rows, withPositive, withoutPositive: rows.length - withPositive };
}

/** Best first; ties by the shared random key. */
function ranked(rows: number[], scores: ArrayLike<number>, tieBreak: Float64Array): number[] {
  return [...rows].sort((a, b) => scores[b]! - scores[a]! || tieBreak[b]! - tieBreak[a]!);
}

export function rankerMetrics(
  scores: ArrayLike<number>,
  test: TestRows,
  groups: UserGroups,
  k: number,
): RankerMetrics {
  if (scores.length !== test.user.length)
    throw new RangeError(`${scores.length} scores for ${test.user.length} test rows`);
  let ndcgSum = 0;
  let ndcgUsers = 0;
  let ratioSum = 0;
  let ratioUsers = 0;
  for (const rows of groups.rows) {
    const order = ranked(rows, scores, test.tieBreak);
    const relevances = order.map((i) => test.longView[i]!);
    if (relevances.some((r) => r > 0)) {
      ndcgSum += ndcgAtK(relevances, relevances, k);
      ndcgUsers += 1;
    }
    let sum = 0;
    let n = 0;
    for (const i of order.slice(0, k)) {
      const ratio = test.ratio[i]!;
      if (Number.isNaN(ratio)) continue;
      sum += ratio;
      n += 1;
    }
    if (n > 0) {
      ratioSum += sum / n;
      ratioUsers += 1;
    }
  }
  // auc() counts tied scores as half, which is exactly the expectation over random tie-breaks.
  return {
    auc: auc(scores, test.longView),
    ndcg: ndcgUsers > 0 ? ndcgSum / ndcgUsers : Number.NaN,
    watchRatioTop: ratioUsers > 0 ? ratioSum / ratioUsers : Number.NaN,
  };
}
