import { isNodeId } from './hlc-stamp.ts';

/**
 * Counters for views, likes, danmu and viewers: each node counts its own increments, and replicas
 * exchange their per-node totals. A grow-only counter (G-counter, Shapiro et al., "A comprehensive
 * study of Convergent and Commutative Replicated Data Types", 2011, §3.1.1) merges by taking each
 * node's larger total and reads as the sum over nodes.
 *
 * Merging by per-node maximum, not by adding what arrives, is what makes a merge idempotent: a flush
 * retried after a timeout, or the same state received twice, counts once. The "merged by sum" of the
 * design is the read: the value is the sum of the per-node totals, exact once every node's latest
 * total has arrived. In Redis that is a hash per counter, field = node, written only upward.
 */
export type GCounter = ReadonlyMap<string, number>;

/** A counter that can go down, e.g. likes that are undone: one G-counter up, one down (§3.1.2). */
export interface PNCounter {
  readonly up: GCounter;
  readonly down: GCounter;
}

export function emptyGCounter(): GCounter {
  return new Map();
}

export function emptyPNCounter(): PNCounter {
  return { up: new Map(), down: new Map() };
}

function checkIncrement(node: string, by: number): void {
  if (!isNodeId(node)) throw new RangeError(`Invalid counter node id ${JSON.stringify(node)}`);
  if (!Number.isSafeInteger(by) || by < 1) {
    throw new RangeError(`A counter increment is a positive safe integer, got ${by}`);
  }
}

/** Adds `by` (default 1) to `node`'s own total. Only `node` itself may call this for `node`. */
export function incrementG(counter: GCounter, node: string, by = 1): GCounter {
  checkIncrement(node, by);
  const total = (counter.get(node) ?? 0) + by;
  if (!Number.isSafeInteger(total)) throw new RangeError(`Counter total for ${node} overflows`);
  const next = new Map(counter);
  next.set(node, total);
  return next;
}

export function mergeG(a: GCounter, b: GCounter): GCounter {
  const merged = new Map(a);
  for (const [node, total] of b) {
    const current = merged.get(node);
    if (current === undefined || total > current) merged.set(node, total);
  }
  return merged;
}

export function valueG(counter: GCounter): number {
  let sum = 0;
  for (const total of counter.values()) sum += total;
  return sum;
}

export function incrementPN(counter: PNCounter, node: string, by = 1): PNCounter {
  return { up: incrementG(counter.up, node, by), down: counter.down };
}

export function decrementPN(counter: PNCounter, node: string, by = 1): PNCounter {
  return { up: counter.up, down: incrementG(counter.down, node, by) };
}

export function mergePN(a: PNCounter, b: PNCounter): PNCounter {
  return { up: mergeG(a.up, b.up), down: mergeG(a.down, b.down) };
}

/**
 * Up minus down. Can be negative while replicas settle (an undo seen before its like); callers
 * that show it clamp at zero, the state itself must not, or the undo would be lost.
 */
export function valuePN(counter: PNCounter): number {
  return valueG(counter.up) - valueG(counter.down);
}

export type CounterCheck = { ok: true; counter: GCounter } | { ok: false; reason: string };

/**
 * Checks per-node totals from an untrusted source (a peer's flush, a Redis hash read back) given as
 * a plain object or [node, total] entries: node ids valid, totals non-negative safe integers. The
 * result is a Map, so even a node named `__proto__` is only a key.
 */
export function validateGCounter(value: unknown, maxNodes = 10_000): CounterCheck {
  if (typeof value !== 'object' || value === null) return { ok: false, reason: 'not an object' };
  const entries: [unknown, unknown][] = Array.isArray(value)
    ? (value as unknown[]).map((pair) =>
        Array.isArray(pair) ? [pair[0], pair[1]] : [undefined, undefined],
      )
    : Object.entries(value);
  if (entries.length > maxNodes) return { ok: false, reason: `more than ${maxNodes} nodes` };
  const counter = new Map<string, number>();
  for (const [node, total] of entries) {
    if (!isNodeId(node)) return { ok: false, reason: `invalid node id ${JSON.stringify(node)}` };
    if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) {
      return { ok: false, reason: `total for ${node} must be a non-negative safe integer` };
    }
    if (counter.has(node)) return { ok: false, reason: `node ${node} appears twice` };
    counter.set(node, total);
  }
  return { ok: true, counter };
}
