import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '@binge/core/log';
import { Redis } from 'ioredis';
import {
  contractOptions,
  liveCountersCloseContract,
  liveCountersContract,
} from './live-counters.contract.ts';
import { checkLiveOptions } from './live-counters.ts';
import { createMemoryLiveCounters } from './live-counters-memory.ts';
import { createRedisLiveCounters } from './live-counters-redis.ts';
import { InvalidLiveInputError } from './live-error.ts';
import { deleteKeysUnder, testKeyPrefix, testRedisUrl } from '../redis/redis-test-keys.ts';

const redisUrl = testRedisUrl;
const quiet = createLogger({ level: 'silent' });
const testPrefix = () => testKeyPrefix('live');
const cleanUp = (prefix: string) => deleteKeysUnder(prefix);
const t0 = 1_760_000_000_000;
const delta = (likes: number, viewers: number) => ({
  likes,
  danmu: 0,
  positionSumMs: 0,
  positionCount: 0,
  viewers,
});

liveCountersContract('memory', async () => {
  const live = createMemoryLiveCounters(contractOptions);
  return { first: live, second: live, close: () => live.close() };
});

liveCountersContract('redis', async () => {
  // Two instances, as two gateway nodes would have, sharing a random prefix that isolates this run.
  const prefix = testPrefix();
  const first = createRedisLiveCounters({
    url: redisUrl,
    prefix,
    logger: quiet,
    ...contractOptions,
  });
  const second = createRedisLiveCounters({
    url: redisUrl,
    prefix,
    logger: quiet,
    ...contractOptions,
  });
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

liveCountersCloseContract('memory', async () => ({
  live: createMemoryLiveCounters(),
  cleanUp: async () => undefined,
}));
liveCountersCloseContract('redis', async () => {
  const prefix = testPrefix();
  return {
    live: createRedisLiveCounters({ url: redisUrl, prefix, logger: quiet }),
    cleanUp: () => cleanUp(prefix),
  };
});

test('live counter options: bad windows and TTLs are refused', () => {
  assert.deepEqual(checkLiveOptions({}), { windowSeconds: 5, viewerTtlMs: 3_000 });
  for (const options of [
    { windowSeconds: 0 },
    { windowSeconds: 1.5 },
    { windowSeconds: 61 },
    { viewerTtlMs: 0 },
    { viewerTtlMs: Number.NaN },
  ]) {
    assert.throws(() => createMemoryLiveCounters(options), InvalidLiveInputError);
    assert.throws(
      () => createRedisLiveCounters({ url: redisUrl, logger: quiet, ...options }),
      InvalidLiveInputError,
    );
  }
});

test('memory live counters: idle episodes are swept, live ones kept', async () => {
  const live = createMemoryLiveCounters();
  for (let ep = 1; ep <= 100; ep += 1) await live.flush('node-a', ep, delta(1, 1), t0);
  assert.equal(live.episodes, 100);
  // A minute later only the episode still flushed is held.
  await live.flush('node-a', 1, delta(1, 1), t0 + 60_000);
  assert.equal(live.episodes, 1);
  assert.equal((await live.read(1, t0 + 60_500)).viewersNow, 1);
  await live.close();
  assert.equal(live.episodes, 0);
});

test('redis live counters: key layout, SET per node and expiry', async () => {
  const prefix = testPrefix();
  const live = createRedisLiveCounters({ url: redisUrl, prefix, logger: quiet });
  const raw = new Redis(redisUrl);
  try {
    const now = Date.now();
    await live.flush(
      'node-a',
      7,
      { likes: 3, danmu: 2, positionSumMs: 9_000, positionCount: 2, viewers: 11 },
      now,
    );
    const bucket = `${prefix}{7}:s:${Math.floor(now / 1000)}`;
    assert.deepEqual(await raw.hgetall(bucket), { 'node-a': '3:2:9000:2' });
    assert.deepEqual(await raw.hgetall(`${prefix}{7}:viewers`), { 'node-a': '11' });
    assert.equal(Number(await raw.zscore(`${prefix}{7}:seen`, 'node-a')), now);
    // Window 5 s + 2 s of slack; gauge keys 3 s + 2 s.
    const bucketTtl = await raw.pttl(bucket);
    assert.ok(bucketTtl > 6_000 && bucketTtl <= 7_000, `pttl ${bucketTtl}`);
    const gaugeTtl = await raw.pttl(`${prefix}{7}:seen`);
    assert.ok(gaugeTtl > 4_000 && gaugeTtl <= 5_000, `pttl ${gaugeTtl}`);
  } finally {
    raw.disconnect();
    await live.close();
    await cleanUp(prefix);
  }
});

test("redis live counters: a flush deletes other nodes' lapsed gauges", async () => {
  const prefix = testPrefix();
  const live = createRedisLiveCounters({ url: redisUrl, prefix, logger: quiet });
  const raw = new Redis(redisUrl);
  try {
    await live.flush('node-a', 8, delta(0, 5), t0);
    await live.flush('node-b', 8, delta(0, 6), t0 + 1_000);
    await live.flush('node-b', 8, delta(0, 6), t0 + 3_000);
    assert.deepEqual(await raw.zrange(`${prefix}{8}:seen`, 0, -1), ['node-b']);
    assert.deepEqual(await raw.hkeys(`${prefix}{8}:viewers`), ['node-b']);
  } finally {
    raw.disconnect();
    await live.close();
    await cleanUp(prefix);
  }
});

test('redis live counters: stored values that do not parse count as nothing', async () => {
  const prefix = testPrefix();
  const live = createRedisLiveCounters({ url: redisUrl, prefix, logger: quiet });
  const raw = new Redis(redisUrl);
  try {
    await live.flush('node-a', 9, delta(5, 2), t0);
    await raw.hset(`${prefix}{9}:s:${t0 / 1000}`, 'node-x', 'garbage', 'node-y', '-1:0:0:0');
    await raw.zadd(`${prefix}{9}:seen`, t0, 'node-x');
    await raw.hset(`${prefix}{9}:viewers`, 'node-x', 'many');
    await raw.zadd(`${prefix}{9}:seen`, t0, 'node-z');
    assert.deepEqual(await live.read(9, t0 + 1_000), {
      viewersNow: 2,
      likesPerSecond: 1,
      danmuPerSecond: 0,
      averagePositionMs: null,
    });
  } finally {
    raw.disconnect();
    await live.close();
    await cleanUp(prefix);
  }
});

test('redis live counters: a caller-owned connection is used and left open by close()', async () => {
  const prefix = testPrefix();
  const raw = new Redis(redisUrl);
  const live = createRedisLiveCounters({ client: raw, prefix, logger: quiet });
  try {
    await live.flush('node-a', 10, delta(5, 4), t0);
    assert.equal((await live.read(10, t0 + 1_000)).viewersNow, 4);
    await live.close();
    assert.equal(await raw.ping(), 'PONG');
  } finally {
    await cleanUp(prefix);
    raw.disconnect();
  }
});
