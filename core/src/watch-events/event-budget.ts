import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/**
 * Each user's budget of watch events (WATCH_EVENTS_PER_MINUTE), over all devices and both
 * transports: a fixed one-minute window counted by rate-limiter-flexible, in Redis when scaled so
 * every ingester shares the count, in memory when embedded. A Redis outage falls back to each
 * process's memory (the insurance limiter) rather than refusing every event.
 *
 * A batch takes what is left: with 10 events left in the window, a batch of 50 gets its first 10
 * accepted and the other 40 refused RATE_LIMITED.
 */
export interface EventBudget {
  /** Takes up to `n` events from the user's budget; answers how many were granted (0..n). */
  take(userId: number, n: number): Promise<number>;
  /** Gives back granted events that were not accepted after all (the stream did not answer). */
  refund(userId: number, n: number): Promise<void>;
  /** Events a user may send per window. */
  readonly perMinute: number;
}

export function createEventBudget(options: {
  perMinute: number;
  redis?: Redis | undefined;
  /** Prefix of the Redis keys (REDIS_PREFIX). */
  prefix: string;
}): EventBudget {
  const base = {
    keyPrefix: `${options.prefix}watch-budget`,
    points: options.perMinute,
    duration: 60,
  };
  const limiter: RateLimiterAbstract = options.redis
    ? new RateLimiterRedis({
        ...base,
        storeClient: options.redis,
        insuranceLimiter: new RateLimiterMemory(base),
      })
    : new RateLimiterMemory(base);

  return {
    perMinute: options.perMinute,

    async take(userId, n) {
      if (n <= 0) return 0;
      try {
        await limiter.consume(String(userId), n);
        return n;
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        // The window counted the whole batch; what was left before it is what this batch gets,
        // and the rest is given back so that refused events do not spend the budget.
        const before = error.consumedPoints - n;
        const granted = Math.max(0, Math.min(n, options.perMinute - before));
        await limiter.reward(String(userId), n - granted).catch(() => undefined);
        return granted;
      }
    },

    async refund(userId, n) {
      if (n > 0) await limiter.reward(String(userId), n);
    },
  };
}
