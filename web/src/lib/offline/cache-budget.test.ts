import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MB,
  isValidCap,
  megabytes,
  planEviction,
  planShrink,
  reconcilePlan,
  usageOf,
  type CacheRecord,
} from './cache-budget.ts';

const record = (key: string, bytes: number, lastUsed: number): CacheRecord => ({
  key,
  bytes,
  lastUsed,
  episodeId: 1,
});

test('usage sums bytes and counts entries', () => {
  assert.deepEqual(usageOf([record('a', 10, 1), record('b', 5, 2)]), { bytes: 15, entries: 2 });
  assert.deepEqual(usageOf([]), { bytes: 0, entries: 0 });
});

test('nothing is evicted while the total stays under the cap', () => {
  assert.deepEqual(planEviction([record('a', 40, 1)], 100, { key: 'b', bytes: 60 }), {
    fits: true,
    evict: [],
  });
});

test('evicts least recently used first, only as much as needed', () => {
  const records = [record('new', 30, 300), record('old', 30, 100), record('mid', 30, 200)];
  assert.deepEqual(planEviction(records, 100, { key: 'x', bytes: 20 }), {
    fits: true,
    evict: ['old'],
  });
  assert.deepEqual(planEviction(records, 100, { key: 'x', bytes: 50 }), {
    fits: true,
    evict: ['old', 'mid'],
  });
});

test('ties in last use are broken by key', () => {
  const records = [record('b', 10, 5), record('a', 10, 5)];
  assert.deepEqual(planEviction(records, 15, { key: 'c', bytes: 5 }).evict, ['a']);
});

test('a replaced key does not count twice', () => {
  assert.deepEqual(planEviction([record('a', 80, 1)], 100, { key: 'a', bytes: 90 }), {
    fits: true,
    evict: [],
  });
});

test('protected records are kept, and a response that cannot fit is refused', () => {
  const records = [record('mine-1', 60, 1), record('other', 30, 2)];
  assert.deepEqual(planEviction(records, 100, { key: 'mine-2', bytes: 30 }, new Set(['mine-1'])), {
    fits: true,
    evict: ['other'],
  });
  assert.deepEqual(planEviction(records, 100, { key: 'mine-2', bytes: 50 }, new Set(['mine-1'])), {
    fits: false,
    evict: [],
  });
  assert.deepEqual(planEviction([], 100, { key: 'huge', bytes: 101 }), { fits: false, evict: [] });
});

test('lowering the cap evicts down to it', () => {
  const records = [record('a', 50, 1), record('b', 50, 2), record('c', 50, 3)];
  assert.deepEqual(planShrink(records, 100), ['a']);
  assert.deepEqual(planShrink(records, 50), ['a', 'b']);
  assert.deepEqual(planShrink(records, 200), []);
});

test('caps are whole bytes between 1 MB and 4 GB', () => {
  assert.ok(isValidCap(200 * MB));
  for (const bad of [0, -1, 0.5 * MB, 5000 * MB, 1.5 * MB + 0.5, Number.NaN, '200', null])
    assert.equal(isValidCap(bad), false, String(bad));
});

test('reconciling drops responses without records and records without responses', () => {
  assert.deepEqual(reconcilePlan(['a', 'b', 'orphan'], ['a', 'b', 'ghost']), {
    dropResponses: ['orphan'],
    dropRecords: ['ghost'],
  });
});

test('megabytes keep one decimal below 10 MB', () => {
  assert.equal(megabytes(1.26 * MB), 1.3);
  assert.equal(megabytes(123.4 * MB), 123);
  assert.equal(megabytes(0), 0);
});
