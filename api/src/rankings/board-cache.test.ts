import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBoardCache } from './board-cache.ts';

function counter() {
  let loads = 0;
  return {
    load: (value: string) => async () => {
      loads += 1;
      return value;
    },
    get loads() {
      return loads;
    },
  };
}

test('a hit within the TTL loads nothing; after it the board loads again', async () => {
  let now = 1_000;
  const cache = createBoardCache<string>({ ttlMs: 5_000, clock: () => now });
  const c = counter();
  assert.equal(await cache.get('hot:0', c.load('a')), 'a');
  now += 4_999;
  assert.equal(await cache.get('hot:0', c.load('b')), 'a');
  assert.equal(c.loads, 1);
  now += 1;
  assert.equal(await cache.get('hot:0', c.load('b')), 'b');
  assert.equal(c.loads, 2);
});

test('concurrent misses share one load; keys are separate', async () => {
  const cache = createBoardCache<string>({ ttlMs: 5_000 });
  const c = counter();
  const results = await Promise.all([
    cache.get('hot:0', c.load('x')),
    cache.get('hot:0', c.load('y')),
    cache.get('new:0', c.load('z')),
  ]);
  assert.deepEqual(results, ['x', 'x', 'z']);
  assert.equal(c.loads, 2);
});

test('a failed load is not cached, and clear() forgets everything', async () => {
  const cache = createBoardCache<string>({ ttlMs: 5_000 });
  await assert.rejects(
    cache.get('hot:0', async () => {
      throw new Error('database down');
    }),
    /database down/,
  );
  assert.equal(await cache.get('hot:0', async () => 'back'), 'back');
  cache.clear();
  assert.equal(await cache.get('hot:0', async () => 'fresh'), 'fresh');
});

test('past maxEntries the oldest entry goes', async () => {
  const cache = createBoardCache<string>({ ttlMs: 60_000, maxEntries: 2 });
  const c = counter();
  await cache.get('a', c.load('1'));
  await cache.get('b', c.load('2'));
  await cache.get('c', c.load('3'));
  assert.equal(await cache.get('b', c.load('x')), '2');
  assert.equal(await cache.get('a', c.load('again')), 'again');
  assert.equal(c.loads, 4);
});
