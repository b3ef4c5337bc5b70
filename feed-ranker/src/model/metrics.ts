/**
 * Ranking metrics shared by the training job (holdout checks before promotion) and the offline
 * evaluation. Pure functions over plain arrays.
 */

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative,
 * ties counting one half (the Mann-Whitney U statistic over average ranks). O(n log n).
 *
 * A label counts as positive when it is > 0. With optional `weights`, each row counts that many
 * times (weighted U statistic). NaN when there are no positives or no negatives: the AUC is then
 * undefined, and a caller that averages it must skip it rather than read 0.5 into it.
 */
export function auc(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`${n} scores but ${labels.length} labels`);
  if (weights && weights.length !== n)
    throw new RangeError(`${n} scores but ${weights.length} weights`);
  for (let i = 0; i < n; i += 1)
    if (Number.isNaN(scores[i])) throw new RangeError(`score ${i} is NaN`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) order[i] = i;
  order.sort((a, b) => scores[a]! - scores[b]!);
  // Walk groups of tied scores in ascending order. For each group, the positives in it beat every
  // negative seen before the group, and tie (½) with the negatives inside it.
  let negBelow = 0;
  let pos = 0;
  let neg = 0;
  let u = 0;
  for (let start = 0; start < n;) {
    let end = start;
    let groupPos = 0;
    let groupNeg = 0;
    while (end < n && scores[order[end]!] === scores[order[start]!]) {
      const i = order[end]!;
      const w = weights ? weights[i]! : 1;
      if (labels[i]! > 0) groupPos += w;
      else groupNeg += w;
      end += 1;
    }
    u += groupPos * (negBelow + groupNeg / 2);
    negBelow += groupNeg;
    pos += groupPos;
    neg += groupNeg;
    start = end;
  }
  if (pos === 0 || neg === 0) return Number.NaN;
  return u / (pos * neg);
}

function dcg(relevances: readonly number[], k: number): number {
  let sum = 0;
  const top = Math.min(k, relevances.length);
  for (let i = 0; i < top; i += 1) sum += relevances[i]! / Math.log2(i + 2);
  return sum;
}

/**
 * NDCG@k with linear gains (Järvelin and Kekäläinen, 2002): DCG of the first k relevances in the
 * order the ranker served them, over the DCG of the best order. `idealRelevances` is every
 * relevance available for that user (any order; it is sorted here), so a ranker that left a
 * relevant item out of its list is charged for it. 0 when nothing is relevant (as scikit-learn's
 * ndcg_score does), so such users lower an average rather than vanish from it; skip them before
 * averaging if that is not wanted.
 */
export function ndcgAtK(rankedRelevances: number[], idealRelevances: number[], k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, not ${k}`);
  const ideal = dcg(
    [...idealRelevances].sort((a, b) => b - a),
    k,
  );
  if (ideal <= 0) return 0;
  return dcg(rankedRelevances, k) / ideal;
}

/**
 * Weighted binary log-loss of logits against 0/1 labels: Σ w·CE(y, σ(z)) / Σ w, computed from the
 * logits directly (log1p(e^-|z|) + max(z, 0) − y·z) so large logits do not overflow.
 */
export function weightedLogLoss(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  const n = logits.length;
  if (labels.length !== n) throw new RangeError(`${n} logits but ${labels.length} labels`);
  let total = 0;
  let weightSum = 0;
  for (let i = 0; i < n; i += 1) {
    const z = logits[i]!;
    const y = labels[i]! > 0 ? 1 : 0;
    const w = weights ? weights[i]! : 1;
    total += w * (Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0) - y * z);
    weightSum += w;
  }
  return weightSum > 0 ? total / weightSum : Number.NaN;
}
