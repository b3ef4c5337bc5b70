import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareCanonical } from './canonical-order.ts';
import { seededRandom, type SeededRandom } from './seeded-random.ts';

function randomValue(random: SeededRandom, depth = 0): unknown {
  const kind = random.int(0, depth > 2 ? 4 : 6);
  switch (kind) {
    case 0:
      return random.pick([null, undefined]);
    case 1:
      return random.next() < 0.5;
    case 2:
      return random.pick([0, 1, -1, 0.5, NaN, Infinity, random.int(-3, 3)]);
    case 3:
    case 4:
      return random.pick(['', 'a', 'b', 'ab', 'B', '追剧']);
    case 5:
      return Array.from({ length: random.int(0, 3) }, () => randomValue(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (const key of random.shuffle(['a', 'b', 'positionMs']).slice(0, random.int(0, 3))) {
        object[key] = randomValue(random, depth + 1);
      }
      return object;
    }
  }
}

test('compareCanonical is a total order over JSON-like values', () => {
  const random = seededRandom(11);
  for (let i = 0; i < 5000; i += 1) {
    const [a, b, c] = [randomValue(random), randomValue(random), randomValue(random)];
    assert.equal(compareCanonical(a, a), 0);
    assert.equal(compareCanonical(a, b), -compareCanonical(b, a) || 0);
    if (compareCanonical(a, b) <= 0 && compareCanonical(b, c) <= 0) {
      assert.ok(compareCanonical(a, c) <= 0, JSON.stringify([a, b, c]));
    }
  }
});

test('object key order does not matter; type ranks and element order do', () => {
  assert.equal(compareCanonical({ a: 1, b: 2 }, { b: 2, a: 1 }), 0);
  assert.equal(compareCanonical({ positionMs: 10 }, { positionMs: 20 }), -1);
  assert.equal(compareCanonical([1, 2], [1, 2, 0]), -1);
  assert.equal(compareCanonical([2], [1, 9]), 1);
  const ranked = [undefined, null, false, true, NaN, -1, 0, 'a', [], {}];
  for (let i = 1; i < ranked.length; i += 1)
    assert.equal(compareCanonical(ranked[i - 1], ranked[i]), -1);
});
