import { seededRandom } from '../model/ranker-model.ts';

/**
 * The simulator's randomness. Every draw comes from a stream named by the run's seed and a few
 * integers (what the stream is for, which viewer, which session), so two policies that face the
 * same viewer in the same session draw the same numbers in the same order: the difference between
 * their reports is the policy, not the dice (common random numbers).
 */
export type Random = () => number;

/** Stream purposes: one constant per use, so streams never overlap by accident. */
export const STREAM = {
  catalog: 1,
  world: 2,
  viewer: 3,
  session: 4,
  policy: 5,
  training: 6,
  ties: 7,
} as const;

/** A 32-bit seed mixed from the run's seed and the parts (murmur3's finaliser per step). */
export function streamSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x5bd1e995) >>> 0;
  for (const part of [...parts, parts.length]) {
    h = Math.imul(h ^ (part >>> 0), 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
    h = Math.imul(h, 0x1b873593);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export function stream(seed: number, ...parts: number[]): Random {
  return seededRandom(streamSeed(seed, ...parts));
}

export { gamma, normal } from '../stats/draws.ts';

/** A uniform integer in [0, n). */
export function below(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}
