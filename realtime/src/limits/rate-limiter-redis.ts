import type { Logger } from '@binge/core/log';
import type { Redis } from 'ioredis';
import { openRedisConnection } from '../redis/redis-connection.ts';
import { redisScript } from '../redis/redis-script.ts';
import { RateLimiterClosedError } from './rate-limit-error.ts';
import {
  bucketId,
  validateTake,
  type RateDecision,
  type RateLimiter,
  type RateRule,
} from './rate-limiter.ts';
import { tokenEpsilon } from './token-bucket.ts';

export type RedisRateLimiterOptions = (
  | { url: string; client?: undefined }
  /** A connection the caller owns: used as is and left open by close(). */
  | { client: Redis; url?: undefined }
) & {
  /** Prepended to every key, `<prefix><rule.name>:<key>`, so deployments can share one Redis. */
  prefix?: string;
  logger?: Logger;
};

/**
 * token-bucket.ts's `take`, in Lua, so that read-refill-take-write is one atomic step however many
 * gateway nodes share the bucket (scripts run without interleaving:
 * https://redis.io/docs/latest/develop/interact/programmability/eval-intro/). The clock is the Redis
 * server's `TIME`, not the caller's, so nodes with skewed clocks still agree. Keep the two in step:
 * the unit tests of token-bucket.ts define what this must do.
 *
 * The bucket is a hash { tokens, updated } that expires when it would be full again: an absent key
 * is a full bucket, so the expiry forgets nothing. A refusal writes nothing (refill is linear, so the
 * stored bucket already yields the right tokens at any later time, and its expiry is still right).
 * Stored values that do not parse (someone wrote the key by hand) count as a full bucket.
 *
 * KEYS[1] the bucket; ARGV ratePerSecond, burst, cost (validated by the caller).
 * Returns { allowed (0/1), retryAfterMs, remaining whole tokens }, all integers.
 */
const takeScript = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local eps = ${tokenEpsilon}
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000

local tokens = burst
local updated = now
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local storedTokens = tonumber(stored[1])
local storedUpdated = tonumber(stored[2])
-- The comparisons are false for NaN, and bound the values to finite ones.
if storedTokens and storedUpdated and storedTokens >= 0 and storedTokens <= burst
  and storedUpdated > -math.huge and storedUpdated < math.huge then
  tokens = storedTokens
  updated = storedUpdated
end
-- A server clock that went backwards (failover to a lagging replica) mints nothing, and updated
-- stays put so the same interval is not counted twice later.
if now > updated then
  tokens = math.min(burst, tokens + (now - updated) * rate / 1000)
  updated = now
end
local behind = math.max(0, updated - now)

if tokens + eps >= cost then
  tokens = math.max(0, tokens - cost)
  local missing = burst - tokens
  if missing <= eps then
    redis.call('DEL', KEYS[1])
  else
    redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
      'updated', string.format('%.17g', updated))
    redis.call('PEXPIRE', KEYS[1], math.ceil(behind + missing * 1000 / rate))
  end
  return { 1, 0, math.floor(tokens + eps) }
end
return { 0, math.ceil(behind + (cost - tokens) * 1000 / rate), math.floor(tokens + eps) }
`;
const take = redisScript(takeScript);

/**
 * Token buckets in Redis, one per key for every gateway node, for per-user and per-IP limits.
 * A take is one round trip (EVALSHA, falling back to EVAL once after a Redis restart or
 * SCRIPT FLUSH). When Redis is unreachable a take rejects with the connection's error; whether to
 * fail open or closed is the caller's call, per rule.
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const prefix = options.prefix ?? 'binge:rate:';
  const connection = openRedisConnection(options, 'redis rate limiter');
  let closed = false;

  return {
    kind: 'redis',

    async take(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
      validateTake(key, rule, cost);
      if (closed) throw new RateLimiterClosedError('redis');
      const reply = await take.run(
        connection.redis,
        [prefix + bucketId(rule, key)],
        [String(rule.ratePerSecond), String(rule.burst), String(cost)],
      );
      const [allowed, retryAfterMs, remaining] = reply as [number, number, number];
      return { allowed: allowed === 1, retryAfterMs, remaining };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}
