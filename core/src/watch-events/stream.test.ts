import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { streamContract } from './stream.contract.ts';
import { createMemoryStream } from './stream-memory.ts';
import { createRedisStream } from './stream-redis.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

streamContract('memory', async () => ({
  make: async (cap) => createMemoryStream(cap === undefined ? {} : { cap }),
  cleanup: async () => undefined,
}));

streamContract('redis', async () => {
  // Every key of this run lives under a random prefix; each stream gets its own key.
  const prefix = `binge-test-${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(redisUrl);
  let n = 0;
  return {
    make: async (cap) =>
      createRedisStream({
        redis,
        key: `${prefix}watch-events-${++n}`,
        ...(cap === undefined ? {} : { cap }),
      }),
    cleanup: async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
});

test('redis stream: an entry someone else wrote without our field comes out with an empty payload', async () => {
  const redis = new Redis(redisUrl);
  const key = `binge-test-${randomBytes(4).toString('hex')}:foreign`;
  try {
    const stream = createRedisStream({ redis, key });
    await stream.ensureGroup('g');
    await redis.xadd(key, '*', 'other', 'value');
    const [entry] = await stream.read('g', 'c', 10);
    assert.equal(entry?.payload, '');
    await stream.close();
  } finally {
    await redis.del(key, `${key}:dead`);
    await redis.quit();
  }
});

test('redis stream: a read after the stream vanished recreates the group instead of failing', async () => {
  const redis = new Redis(redisUrl);
  const key = `binge-test-${randomBytes(4).toString('hex')}:vanished`;
  try {
    const stream = createRedisStream({ redis, key });
    await stream.ensureGroup('g');
    await redis.del(key);
    assert.deepEqual(await stream.read('g', 'c', 10), []);
    await stream.append(['again']);
    assert.deepEqual(
      (await stream.read('g', 'c', 10)).map((e) => e.payload),
      ['again'],
    );
    assert.equal(await stream.pending('missing-group'), 0);
    await stream.close();
  } finally {
    await redis.del(key, `${key}:dead`);
    await redis.quit();
  }
});
