import { performance } from 'node:perf_hooks';
import { RateLimiterClosedError } from './rate-limit-error.ts';
import {
  bucketId,
  validateTake,
  type RateDecision,
  type RateLimiter,
  type RateRule,
} from './rate-limiter.ts';
import { msUntilFull, take, wholeTokens, type TokenBucketState } from './token-bucket.ts';

export interface MemoryRateLimiterOptions {
  /**
   * Most buckets kept at once (default 100 000, some 20 MB). Past it, buckets that have refilled
   * are dropped first (forgetting one changes no decision); only if every bucket is still in debt
   * are the least recently used dropped, which forgives their debt rather than refusing new keys.
   */
  maxBuckets?: number;
  /** Milliseconds on any monotonic scale; `performance.now()` by default (immune to wall-clock steps). */
  now?: () => number;
}

export interface MemoryRateLimiter extends RateLimiter {
  readonly kind: 'memory';
  /** Buckets held right now; never above `maxBuckets`. */
  readonly size: number;
}

interface Bucket extends TokenBucketState {
  /** When the bucket is full again, i.e. when dropping it becomes harmless. */
  fullAtMs: number;
}

/**
 * Token buckets in a Map, for limits that live on one node (per connection) and for the embedded
 * single-process setup. The Map's insertion order doubles as recency: a take re-inserts its bucket.
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): MemoryRateLimiter {
  const maxBuckets = options.maxBuckets ?? 100_000;
  if (!Number.isInteger(maxBuckets) || maxBuckets < 1) {
    throw new RangeError(`maxBuckets must be a positive integer, got ${String(maxBuckets)}`);
  }
  const now = options.now ?? (() => performance.now());
  /**
   * A sweep walks every bucket, so it runs only when the Map is full and always frees at least a
   * tenth of it: n inserts cost O(n) sweeping in total, even under a flood of distinct keys.
   */
  const lowWater = Math.max(0, Math.floor(maxBuckets * 0.9));
  const buckets = new Map<string, Bucket>();
  let closed = false;

  function sweep(nowMs: number): void {
    for (const [id, bucket] of buckets) {
      if (bucket.fullAtMs <= nowMs) buckets.delete(id);
    }
    // Everyone is still in debt: drop the least recently used (the Map's first entries).
    for (const id of buckets.keys()) {
      if (buckets.size <= lowWater) break;
      buckets.delete(id);
    }
  }

  return {
    kind: 'memory',

    get size() {
      return buckets.size;
    },

    async take(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
      validateTake(key, rule, cost);
      if (closed) throw new RateLimiterClosedError('memory');
      const nowMs = now();
      const id = bucketId(rule, key);
      const existing = buckets.get(id);
      const result = take(existing, rule, nowMs, cost);
      if (result.allowed) {
        if (existing) buckets.delete(id);
        else if (buckets.size >= maxBuckets) sweep(nowMs);
        const fullAtMs = result.state.updatedMs + msUntilFull(result.state, rule);
        buckets.set(id, { ...result.state, fullAtMs });
      } else if (existing) {
        // A refusal leaves the stored bucket as it is (refill is linear, so it yields the same
        // tokens at any later time) but counts as use: a key hammering while in debt must be the
        // last one dropped, not the first.
        buckets.delete(id);
        buckets.set(id, existing);
      }
      return {
        allowed: result.allowed,
        retryAfterMs: result.retryAfterMs,
        remaining: wholeTokens(result.state),
      };
    },

    async close(): Promise<void> {
      closed = true;
      buckets.clear();
    },
  };
}
