import { MAX_ID } from './kuairand.ts';

/**
 * Counts of unordered pairs of video ids (co-watch), in an open-addressing hash table over two
 * typed arrays: a JavaScript Map stops at ~16.7 million entries and spends ~80 bytes on each, where
 * the full KuaiRand logs give tens of millions of pairs. A pair {a, b} is stored once under the
 * key min · 2^26 + max, exact in a double because ids stay below 2^26 (MAX_ID).
 */
const ID_SPAN = 2 ** 26;

export class PairCounts {
  private keys: Float64Array;
  private counts: Float32Array;
  private used = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.keys = new Float64Array(capacity).fill(-1);
    this.counts = new Float32Array(capacity);
  }

  get size(): number {
    return this.used;
  }

  private static key(a: number, b: number): number {
    if (a > MAX_ID || b > MAX_ID || a < 0 || b < 0) throw new RangeError(`id out of range`);
    return a < b ? a * ID_SPAN + b : b * ID_SPAN + a;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private slot(key: number): number {
    const mask = this.keys.length - 1;
    const hi = Math.floor(key / ID_SPAN);
    const lo = key - hi * ID_SPAN;
    let i = (Math.imul(hi, 0x9e3779b1) ^ Math.imul(lo + 0x7f4a7c15, 0x85ebca77)) & mask;
    for (;;) {
      const stored = this.keys[i]!;
      if (stored === key || stored === -1) return i;
      i = (i + 1) & mask;
    }
  }

  add(a: number, b: number, amount = 1): void {
    if (a === b) return;
    const key = PairCounts.key(a, b);
    let i = this.slot(key);
    if (this.keys[i] === -1) {
      if ((this.used + 1) * 2 > this.keys.length) {
        this.rehash(this.keys.length * 2);
        i = this.slot(key);
      }
      this.keys[i] = key;
      this.used += 1;
    }
    this.counts[i]! += amount;
  }

  get(a: number, b: number): number {
    if (a === b) return 0;
    const i = this.slot(PairCounts.key(a, b));
    return this.keys[i] === -1 ? 0 : this.counts[i]!;
  }

  private rehash(capacity: number): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    this.keys = new Float64Array(capacity).fill(-1);
    this.counts = new Float32Array(capacity);
    for (let j = 0; j < oldKeys.length; j += 1) {
      const key = oldKeys[j]!;
      if (key === -1) continue;
      const i = this.slot(key);
      this.keys[i] = key;
      this.counts[i] = oldCounts[j]!;
    }
  }
}
