import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decrementPN,
  emptyGCounter,
  emptyPNCounter,
  incrementG,
  incrementPN,
  mergeG,
  mergePN,
  validateGCounter,
  valueG,
  valuePN,
  type GCounter,
  type PNCounter,
} from './counter.ts';
import { seededRandom, type SeededRandom } from './seeded-random.ts';

const nodes = ['api-1', 'api-2', 'gw-1', 'gw-2'];

function randomG(random: SeededRandom): GCounter {
  let counter = emptyGCounter();
  for (let i = random.int(0, 6); i > 0; i -= 1)
    counter = incrementG(counter, random.pick(nodes), random.int(1, 5));
  return counter;
}

function randomPN(random: SeededRandom): PNCounter {
  return { up: randomG(random), down: randomG(random) };
}

test('G-counter and PN-counter merges are commutative, associative and idempotent', () => {
  const random = seededRandom(41);
  for (let i = 0; i < 3000; i += 1) {
    const [a, b, c] = [randomG(random), randomG(random), randomG(random)];
    assert.deepEqual(mergeG(a, b), mergeG(b, a));
    assert.deepEqual(mergeG(mergeG(a, b), c), mergeG(a, mergeG(b, c)));
    assert.deepEqual(mergeG(a, a), a);
    const [p, q, r] = [randomPN(random), randomPN(random), randomPN(random)];
    assert.deepEqual(mergePN(p, q), mergePN(q, p));
    assert.deepEqual(mergePN(mergePN(p, q), r), mergePN(p, mergePN(q, r)));
    assert.deepEqual(mergePN(p, p), p);
  }
});

test('nodes gossiping states in any order, with retries, converge on the exact total', () => {
  for (let seed = 1; seed <= 200; seed += 1) {
    const random = seededRandom(seed);
    const local = new Map<string, PNCounter>(nodes.map((node) => [node, emptyPNCounter()]));
    const flushed: PNCounter[] = [];
    let expected = 0;
    for (let step = 0; step < 60; step += 1) {
      const node = random.pick(nodes);
      const state = local.get(node) ?? emptyPNCounter();
      const by = random.int(1, 3);
      const undo = random.next() < 0.3;
      const next = undo ? decrementPN(state, node, by) : incrementPN(state, node, by);
      expected += undo ? -by : by;
      local.set(node, next);
      // A flush of the whole local state; some are sent twice (a retry after a timeout).
      if (random.next() < 0.4) flushed.push(next, ...(random.next() < 0.3 ? [next] : []));
    }
    flushed.push(...local.values()); // the final flush of every node
    const merge = (x: PNCounter, y: PNCounter) => mergePN(x, y);
    const storeA = random.shuffle(flushed).reduce(merge, emptyPNCounter());
    const storeB = random.shuffle(flushed).reduce(merge, emptyPNCounter());
    assert.deepEqual(storeA, storeB, `seed ${seed}`);
    assert.equal(valuePN(storeA), expected, `seed ${seed}`);
  }
});

test('a stale or repeated flush never lowers or double-counts a node', () => {
  const first = incrementG(emptyGCounter(), 'gw-1', 5);
  const second = incrementG(first, 'gw-1', 3);
  const store = mergeG(mergeG(mergeG(emptyGCounter(), second), first), second);
  assert.equal(valueG(store), 8);
  assert.equal(valueG(mergeG(store, incrementG(emptyGCounter(), 'gw-2'))), 9);
});

test('a PN-counter can dip below zero while an undo arrives before its like', () => {
  const undo = decrementPN(emptyPNCounter(), 'api-2');
  assert.equal(valuePN(undo), -1);
  assert.equal(valuePN(mergePN(undo, incrementPN(emptyPNCounter(), 'api-1'))), 0);
});

test('increments must be positive safe integers from a valid node id, and may not overflow', () => {
  for (const by of [0, -1, 1.5, NaN, Infinity, 2 ** 53]) {
    assert.throws(() => incrementG(emptyGCounter(), 'api-1', by), RangeError, String(by));
  }
  for (const node of ['', 'has space', 'x'.repeat(33)]) {
    assert.throws(() => incrementG(emptyGCounter(), node), RangeError);
  }
  const near = incrementG(emptyGCounter(), 'api-1', Number.MAX_SAFE_INTEGER - 1);
  assert.equal(valueG(incrementG(near, 'api-1')), Number.MAX_SAFE_INTEGER);
  assert.throws(() => incrementG(incrementG(near, 'api-1'), 'api-1'), RangeError);
});

test('validateGCounter admits well-formed totals and rejects the rest', () => {
  const ok = validateGCounter({ 'gw-1': 3, 'gw-2': 0 });
  assert.ok(ok.ok);
  if (ok.ok) assert.equal(valueG(ok.counter), 3);
  const fromEntries = validateGCounter([['gw-1', 2]]);
  assert.ok(fromEntries.ok);
  const proto = validateGCounter(JSON.parse('{"__proto__": 4}'));
  assert.ok(proto.ok);
  if (proto.ok) assert.equal(proto.counter.get('__proto__'), 4);
  const bad: unknown[] = [
    null,
    7,
    'x',
    { 'gw-1': -1 },
    { 'gw-1': 1.5 },
    { 'gw-1': NaN },
    { 'gw-1': '3' },
    { 'gw-1': 2 ** 53 },
    { '': 1 },
    { 'a b': 1 },
    [
      ['gw-1', 1],
      ['gw-1', 2],
    ],
    [[1, 1]],
    ['gw-1'],
  ];
  for (const value of bad) assert.equal(validateGCounter(value).ok, false, JSON.stringify(value));
  assert.equal(validateGCounter({ a: 1, b: 2, c: 3 }, 2).ok, false);
});
