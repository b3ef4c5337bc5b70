import { compareCanonical } from './canonical-order.ts';
import { compareStamps, type HlcStamp } from './hlc-stamp.ts';

/**
 * A last-writer-wins register: watch progress per (user, episode), among others. The value with
 * the highest stamp wins, so a stale device that comes back online never rewinds a position that
 * another device wrote later.
 *
 * A stamp is only as honest as its sender: the gateway admits a client's stamp through
 * `Hlc.receive`, which refuses one more than the drift bound ahead, or a forged far-future stamp
 * would win every later merge.
 */
export interface LwwRegister<T> {
  readonly value: T;
  readonly stamp: HlcStamp;
}

/**
 * Keeps the register with the highest stamp. Equal stamps hold equal values whenever every node
 * uses its own node id and a correct HLC (which never issues one stamp twice); when a broken or
 * hostile replica reuses a stamp for another value, the greater value under `compareValues` wins,
 * so merge stays commutative and every replica keeps the same one. `compareValues` must be a total
 * order in which 0 means "the same value"; the default is {@link compareCanonical}.
 * Returns one of its arguments (the first when both are equal), never a copy.
 */
export function mergeRegister<T>(
  a: LwwRegister<T>,
  b: LwwRegister<T>,
  compareValues: (x: T, y: T) => number = compareCanonical,
): LwwRegister<T> {
  const byStamp = compareStamps(a.stamp, b.stamp);
  if (byStamp !== 0) return byStamp > 0 ? a : b;
  return compareValues(a.value, b.value) >= 0 ? a : b;
}

/** Merges an optional current state (nothing stored yet) with an incoming write. */
export function mergeIntoRegister<T>(
  current: LwwRegister<T> | undefined,
  incoming: LwwRegister<T>,
  compareValues?: (x: T, y: T) => number,
): LwwRegister<T> {
  return current === undefined ? incoming : mergeRegister(current, incoming, compareValues);
}
