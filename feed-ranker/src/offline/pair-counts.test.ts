import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../model/ranker-model.ts';
import { MAX_ID } from './kuairand.ts';
import { PairCounts } from './pair-counts.ts';

test('a pair is unordered, a video never pairs with itself, absent pairs count 0', () => {
  const pairs = new PairCounts();
  pairs.add(3, 9);
  pairs.add(9, 3, 2);
  pairs.add(4, 4);
  assert.equal(pairs.get(3, 9), 3);
  assert.equal(pairs.get(9, 3), 3);
  assert.equal(pairs.get(4, 4), 0);
  assert.equal(pairs.get(3, 4), 0);
  assert.equal(pairs.size, 1);
  pairs.add(0, MAX_ID);
  assert.equal(pairs.get(MAX_ID, 0), 1);
  assert.throws(() => pairs.add(0, MAX_ID + 1), RangeError);
});

test('counts agree with a Map through many rehashes', () => {
  const pairs = new PairCounts(4);
  const reference = new Map<string, number>();
  const random = seededRandom(7);
  for (let i = 0; i < 50_000; i += 1) {
    const a = Math.floor(random() * 400);
    const b = Math.floor(random() * 400) * 100_003;
    pairs.add(a, b);
    if (a === b) continue;
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    reference.set(key, (reference.get(key) ?? 0) + 1);
  }
  assert.equal(pairs.size, reference.size);
  for (const [key, count] of reference) {
    const [a, b] = key.split(',').map(Number) as [number, number];
    assert.equal(pairs.get(b, a), count, key);
  }
});
