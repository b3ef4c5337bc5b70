import { SERVING_DIM, SERVING_FEATURES } from '../features/spec.ts';
import { seededRandom, type TrainingSet } from './ranker-model.ts';

/**
 * A seeded synthetic training set over the serving features, for tests and benchmarks: features
 * uniform in 0..1, and a play more likely the higher `driver` is (P(play) = driver), with a
 * watch time of 1..31 s. Nothing else carries signal.
 */
export function syntheticServingSet(
  rows: number,
  seed: number,
  driver: (typeof SERVING_FEATURES)[number] = 'cross_category_affinity',
): TrainingSet {
  const random = seededRandom(seed);
  const column = SERVING_FEATURES.indexOf(driver);
  const x = new Float32Array(rows * SERVING_DIM);
  const watched = new Float32Array(rows);
  const weight = new Float32Array(rows);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < SERVING_DIM; c += 1) x[r * SERVING_DIM + c] = random();
    watched[r] = random() < x[r * SERVING_DIM + column]! ? 1 : 0;
    weight[r] = watched[r] ? 1 + 30 * random() : 1;
  }
  return { rows, dim: SERVING_DIM, x, watched, weight };
}
