import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createLogger } from '@binge/core/log';
import { Redis } from 'ioredis';
import { rateLimiterCloseContract, rateLimiterContract } from './rate-limiter.contract.ts';
import { gatewayRateRules, validateRateRule, type RateRule } from './rate-limiter.ts';
import { createMemoryRateLimiter } from './rate-limiter-memory.ts';
import { createRedisRateLimiter } from './rate-limiter-redis.ts';
import { deleteKeysUnder, testKeyPrefix, testRedisUrl } from '../redis/redis-test-keys.ts';

const redisUrl = testRedisUrl;
const quiet = createLogger({ level: 'silent' });
const testPrefix = () => testKeyPrefix('rate');
const cleanUp = (prefix: string) => deleteKeysUnder(prefix);

rateLimiterContract('memory', async () => {
  const limiter = createMemoryRateLimiter();
  return { first: limiter, second: limiter, close: () => limiter.close() };
});

rateLimiterContract('redis', async () => {
  // Two instances, as two gateway nodes would have, sharing a random prefix that isolates this run.
  const prefix = testPrefix();
  const first = createRedisRateLimiter({ url: redisUrl, prefix, logger: quiet });
  const second = createRedisRateLimiter({ url: redisUrl, prefix, logger: quiet });
  return {
    first,
    second,
    close: async () => {
      await first.close();
      await second.close();
      await cleanUp(prefix);
    },
  };
});

rateLimiterCloseContract('memory', async () => ({
  limiter: createMemoryRateLimiter(),
  cleanUp: async () => undefined,
}));
rateLimiterCloseContract('redis', async () => {
  const prefix = testPrefix();
  return {
    limiter: createRedisRateLimiter({ url: redisUrl, prefix, logger: quiet }),
    cleanUp: () => cleanUp(prefix),
  };
});

test('every default gateway rule is valid, uniquely named and scoped', () => {
  const rules = Object.values(gatewayRateRules);
  for (const rule of rules) validateRateRule(rule);
  assert.equal(new Set(rules.map((r) => r.name)).size, rules.length);
  assert.deepEqual(gatewayRateRules.danmuPerUser, {
    name: 'danmu.user',
    ratePerSecond: 0.5,
    burst: 3,
    scope: 'user',
  });
  for (const rule of rules) {
    assert.ok(rule.name.endsWith(`.${rule.scope}`), `${rule.name} is keyed by ${rule.scope}`);
  }
});

test('memory limiter: 100k distinct keys stay within maxBuckets', async () => {
  const limiter = createMemoryRateLimiter({ maxBuckets: 10_000 });
  const rule: RateRule = { name: 'test.flood', ratePerSecond: 0.001, burst: 1 };
  let peak = 0;
  for (let i = 0; i < 100_000; i += 1) {
    // Every key stays in debt for ~17 minutes: only the recency fallback can make room.
    assert.equal((await limiter.take(`198.51.${i >> 8}.${i & 255}`, rule)).allowed, true);
    peak = Math.max(peak, limiter.size);
  }
  assert.ok(peak <= 10_000, `peak ${peak}`);
  await limiter.close();
  assert.equal(limiter.size, 0);
});

test('memory limiter: the default bound holds 100k distinct keys and no more', async () => {
  const limiter = createMemoryRateLimiter();
  const rule: RateRule = { name: 'test.flood', ratePerSecond: 0.001, burst: 2 };
  for (let i = 0; i < 150_000; i += 1) await limiter.take(`conn-${i}`, rule);
  assert.ok(limiter.size <= 100_000, `size ${limiter.size}`);
  await limiter.close();
});

test('memory limiter: refilled buckets are dropped before buckets still in debt', async () => {
  let now = 0;
  const limiter = createMemoryRateLimiter({ maxBuckets: 10, now: () => now });
  const rule: RateRule = { name: 'test.evict', ratePerSecond: 1, burst: 2 };
  // The offender is the oldest entry and must survive: its bucket is empty.
  await limiter.take('offender', rule, 2);
  now = 1;
  for (let i = 0; i < 9; i += 1) await limiter.take(`idle-${i}`, rule);
  assert.equal(limiter.size, 10);
  // 1.5 s later the idle buckets (1 token short) are full; the offender is still 0.5 token short.
  now = 1_500;
  await limiter.take('newcomer', rule);
  assert.equal(limiter.size, 2);
  const offender = await limiter.take('offender', rule, 2);
  assert.equal(offender.allowed, false);
  assert.equal(offender.retryAfterMs, 500);
  await limiter.close();
});

test('memory limiter: when all are in debt the least recently used go, a hammering key stays', async () => {
  let now = 0;
  const limiter = createMemoryRateLimiter({ maxBuckets: 10, now: () => now });
  const rule: RateRule = { name: 'test.lru', ratePerSecond: 0.001, burst: 1 };
  await limiter.take('offender', rule);
  for (let i = 0; i < 9; i += 1) await limiter.take(`quiet-${i}`, rule);
  // Refused takes count as use, so the offender is now the most recent.
  now = 10;
  assert.equal((await limiter.take('offender', rule)).allowed, false);
  await limiter.take('newcomer', rule);
  assert.ok(limiter.size <= 10);
  assert.equal((await limiter.take('offender', rule)).allowed, false);
  assert.equal(
    (await limiter.take('quiet-0', rule)).allowed,
    true,
    'the oldest quiet key was forgotten',
  );
  await limiter.close();
});

test('memory limiter: a clock going backwards mints nothing', async () => {
  let now = 10_000;
  const limiter = createMemoryRateLimiter({ now: () => now });
  const rule: RateRule = { name: 'test.clock', ratePerSecond: 1, burst: 1 };
  assert.equal((await limiter.take('k', rule)).allowed, true);
  now = 0;
  const refused = await limiter.take('k', rule);
  assert.equal(refused.allowed, false);
  assert.equal(refused.retryAfterMs, 11_000);
  now = 11_000;
  assert.equal((await limiter.take('k', rule)).allowed, true);
  assert.equal((await limiter.take('k', rule)).allowed, false);
  await limiter.close();
});

test('memory limiter: rejects a bad maxBuckets', () => {
  for (const maxBuckets of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => createMemoryRateLimiter({ maxBuckets }), RangeError);
  }
});

test('redis limiter: keys are <prefix><rule>:<key> and expire when the bucket would be full', async () => {
  const prefix = testPrefix();
  const limiter = createRedisRateLimiter({ url: redisUrl, prefix, logger: quiet });
  const raw = new Redis(redisUrl);
  try {
    const slow: RateRule = { name: 'test.ttl', ratePerSecond: 0.5, burst: 3 };
    await limiter.take('user:7', slow);
    // One token short at 0.5/s: full again in 2000 ms.
    const ttl = await raw.pttl(`${prefix}test.ttl:user:7`);
    assert.ok(ttl > 1000 && ttl <= 2000, `pttl ${ttl}`);

    const fast: RateRule = { name: 'test.expire', ratePerSecond: 20, burst: 2 };
    await limiter.take('user:7', fast);
    const fastTtl = await raw.pttl(`${prefix}test.expire:user:7`);
    assert.ok(fastTtl > 0 && fastTtl <= 50, `pttl ${fastTtl}`);
    await sleep(300);
    assert.equal(await raw.exists(`${prefix}test.expire:user:7`), 0);
  } finally {
    raw.disconnect();
    await limiter.close();
    await cleanUp(prefix);
  }
});

test('redis limiter: a bucket stamped in the future (server clock stepped back) mints nothing', async () => {
  const prefix = testPrefix();
  const limiter = createRedisRateLimiter({ url: redisUrl, prefix, logger: quiet });
  const raw = new Redis(redisUrl);
  try {
    const [seconds] = await raw.time();
    const future = Number(seconds) * 1000 + 60_000;
    const key = `${prefix}test.future:k`;
    await raw.hset(key, 'tokens', '0', 'updated', String(future));
    await raw.pexpire(key, 120_000);
    const refused = await limiter.take('k', { name: 'test.future', ratePerSecond: 10, burst: 5 });
    assert.equal(refused.allowed, false);
    // About 60 s until the clock is back at `updated`, plus 100 ms for one token.
    assert.ok(
      refused.retryAfterMs > 55_000 && refused.retryAfterMs <= 61_000,
      `${refused.retryAfterMs}`,
    );
  } finally {
    raw.disconnect();
    await limiter.close();
    await cleanUp(prefix);
  }
});

test('redis limiter: a server clock behind the stored stamp neither drains nor rewinds it', async () => {
  const prefix = testPrefix();
  const limiter = createRedisRateLimiter({ url: redisUrl, prefix, logger: quiet });
  const raw = new Redis(redisUrl);
  try {
    const [seconds] = await raw.time();
    const future = String(Number(seconds) * 1000 + 60_000);
    const key = `${prefix}test.behind:k`;
    await raw.hset(key, 'tokens', '5', 'updated', future);
    const decision = await limiter.take('k', { name: 'test.behind', ratePerSecond: 10, burst: 5 });
    assert.deepEqual(decision, { allowed: true, retryAfterMs: 0, remaining: 4 });
    assert.equal(Number(await raw.hget(key, 'updated')), Number(future));
    // Time to full counts from the stamp: ~60 s until the clock gets there, then 100 ms.
    const ttl = await raw.pttl(key);
    assert.ok(ttl > 55_000 && ttl <= 61_000, `pttl ${ttl}`);
  } finally {
    raw.disconnect();
    await limiter.close();
    await cleanUp(prefix);
  }
});

test('redis limiter: a stored bucket that does not parse counts as full', async () => {
  const prefix = testPrefix();
  const limiter = createRedisRateLimiter({ url: redisUrl, prefix, logger: quiet });
  const raw = new Redis(redisUrl);
  try {
    const rule: RateRule = { name: 'test.garbage', ratePerSecond: 0.01, burst: 2 };
    for (const [tokens, updated] of [
      ['garbage', '1'],
      ['nan', '1'],
      ['-1', '1'],
      ['1', 'inf'],
    ] as const) {
      const key = `${prefix}test.garbage:${tokens}-${updated}`;
      await raw.hset(key, 'tokens', tokens, 'updated', updated);
      const decision = await limiter.take(`${tokens}-${updated}`, rule);
      assert.deepEqual(
        decision,
        { allowed: true, retryAfterMs: 0, remaining: 1 },
        `${tokens}/${updated}`,
      );
    }
  } finally {
    raw.disconnect();
    await limiter.close();
    await cleanUp(prefix);
  }
});

test('redis limiter: a caller-owned connection is used and left open by close()', async () => {
  const prefix = testPrefix();
  const raw = new Redis(redisUrl);
  const limiter = createRedisRateLimiter({ client: raw, prefix, logger: quiet });
  try {
    const rule: RateRule = { name: 'test.owned', ratePerSecond: 0.01, burst: 2 };
    assert.equal((await limiter.take('k', rule)).allowed, true);
    assert.deepEqual(await limiter.take('k', rule), {
      allowed: true,
      retryAfterMs: 0,
      remaining: 0,
    });
    await limiter.close();
    assert.equal(await raw.ping(), 'PONG');
  } finally {
    await cleanUp(prefix);
    raw.disconnect();
  }
});
