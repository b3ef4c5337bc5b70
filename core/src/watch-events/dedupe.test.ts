import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { DedupeStore } from './dedupe.ts';
import { createMemoryDedupe } from './dedupe-memory.ts';
import { createRedisDedupe } from './dedupe-redis.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(redisUrl);
const prefix = `binge-test-${randomBytes(4).toString('hex')}:seen:`;
after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const adapters: [string, () => DedupeStore][] = [
  ['memory', () => createMemoryDedupe()],
  [
    'redis',
    () => createRedisDedupe(redis, { prefix: `${prefix}${randomBytes(3).toString('hex')}:` }),
  ],
];

for (const [name, make] of adapters) {
  describe(`dedupe contract: ${name}`, () => {
    test('a key is new once; a repeat in the same call or a later one is not', async () => {
      const store = make();
      assert.deepEqual(await store.claim(['a', 'b', 'a']), [true, true, false]);
      assert.deepEqual(await store.claim(['b', 'c']), [false, true]);
      assert.deepEqual(await store.claim([]), []);
    });

    test('a released key is new again; others stay marked', async () => {
      const store = make();
      await store.claim(['x', 'y']);
      await store.release(['x']);
      await store.release([]);
      assert.deepEqual(await store.claim(['x', 'y']), [true, false]);
    });
  });
}

test('memory dedupe: a mark lapses after its TTL, and the oldest go first past the cap', async () => {
  let clock = 1_000;
  const store = createMemoryDedupe({ ttlMs: 100, maxEntries: 3, now: () => clock });
  await store.claim(['a']);
  clock += 50;
  await store.claim(['b']);
  clock += 60;
  assert.deepEqual(await store.claim(['a', 'b']), [true, false]);
  await store.claim(['c', 'd']);
  // Four marks (b, a, c, d) over a cap of three: the oldest, b, went at the next claim.
  assert.deepEqual(await store.claim(['e']), [true]);
  assert.deepEqual(await store.claim(['b', 'd']), [true, false]);
});

test('redis dedupe: marks expire with the TTL', async () => {
  const store = createRedisDedupe(redis, { prefix: `${prefix}ttl:`, ttlMs: 60_000 });
  await store.claim(['k']);
  const ttl = await redis.pttl(`${prefix}ttl:k`);
  assert.ok(ttl > 0 && ttl <= 60_000, `pttl ${ttl}`);
});
