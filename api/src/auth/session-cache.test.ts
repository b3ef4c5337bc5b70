import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSessionCache } from './session-cache.ts';

test('entries live for the TTL, can be forgotten, and the oldest make room', () => {
  let clock = 1000;
  const cache = createSessionCache<number>({ ttlMs: 5000, maxEntries: 2, now: () => clock });
  cache.set('a', 1);
  assert.equal(cache.get('a'), 1);
  clock += 4999;
  assert.equal(cache.get('a'), 1);
  clock += 1;
  assert.equal(cache.get('a'), undefined);

  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('c', 3);
  assert.equal(cache.get('a'), undefined, 'evicted as the oldest');
  assert.deepEqual([cache.get('b'), cache.get('c')], [2, 3]);
  cache.forget(['b', 'nope']);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('c'), 3);
});

test('a TTL of 0 caches nothing', () => {
  const cache = createSessionCache<number>({ ttlMs: 0, maxEntries: 10 });
  cache.set('a', 1);
  assert.equal(cache.get('a'), undefined);
});
