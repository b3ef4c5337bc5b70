import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addTallies,
  emptyTally,
  secondOf,
  summarizeWindow,
  tallyEvent,
  windowSecondsAt,
  type LiveEvent,
} from './live-window.ts';

test('a node tallies likes, danmu and watch positions over its second', () => {
  const events: LiveEvent[] = [
    { type: 'like' },
    { type: 'position', positionMs: 12_000 },
    { type: 'danmu' },
    { type: 'like' },
    { type: 'position', positionMs: 18_000 },
  ];
  const tally = events.reduce(tallyEvent, emptyTally());
  assert.deepEqual(tally, { likes: 2, danmu: 1, positionSumMs: 30_000, positionCount: 2 });
});

test('tallying returns a new tally and leaves the old one alone', () => {
  const before = emptyTally();
  const after = tallyEvent(before, { type: 'like' });
  assert.deepEqual(before, emptyTally());
  assert.equal(after.likes, 1);
});

test('a bad watch position is refused', () => {
  for (const positionMs of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => tallyEvent(emptyTally(), { type: 'position', positionMs }), RangeError);
  }
});

test('seconds and windows: the current second is left out', () => {
  assert.equal(secondOf(0), 0);
  assert.equal(secondOf(999), 0);
  assert.equal(secondOf(1_000), 1);
  assert.deepEqual(windowSecondsAt(10_500), [5, 6, 7, 8, 9]);
  assert.deepEqual(windowSecondsAt(10_000, 3), [7, 8, 9]);
});

test('tallies add field by field', () => {
  assert.deepEqual(
    addTallies(
      { likes: 1, danmu: 2, positionSumMs: 3, positionCount: 4 },
      { likes: 10, danmu: 20, positionSumMs: 30, positionCount: 40 },
    ),
    { likes: 11, danmu: 22, positionSumMs: 33, positionCount: 44 },
  );
});

test('rates divide by the whole window, quiet seconds included', () => {
  const busy = { likes: 10, danmu: 4, positionSumMs: 0, positionCount: 0 };
  assert.deepEqual(summarizeWindow([busy, busy], 7, 5), {
    viewersNow: 7,
    likesPerSecond: 4,
    danmuPerSecond: 1.6,
    averagePositionMs: null,
  });
  assert.deepEqual(summarizeWindow([], 0), {
    viewersNow: 0,
    likesPerSecond: 0,
    danmuPerSecond: 0,
    averagePositionMs: null,
  });
});

test('the average position weighs every report equally, across seconds and nodes', () => {
  const snapshot = summarizeWindow(
    [
      { likes: 0, danmu: 0, positionSumMs: 10_000, positionCount: 1 },
      { likes: 0, danmu: 0, positionSumMs: 50_000, positionCount: 3 },
      { likes: 0, danmu: 0, positionSumMs: 1, positionCount: 2 },
    ],
    0,
  );
  // (10000 + 50000 + 1) / 6, rounded to whole ms.
  assert.equal(snapshot.averagePositionMs, 10_000);
});

test('a bad window length is refused', () => {
  for (const windowSeconds of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => summarizeWindow([], 0, windowSeconds), RangeError);
  }
});
