import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planSlots, wantedAround } from './slot-plan.ts';

test('a swipe forward keeps the warm slots and reuses the one that fell out of range', () => {
  // Slots hold previous 1, current 2, next 3, next-but-one 4; the viewer swipes to 3.
  const held = [1, 2, 3, 4];
  const wanted = wantedAround([1, 2, 3, 4, 5, 6], 2);
  assert.deepEqual(wanted, [3, 4, 5, 2]);
  assert.deepEqual(planSlots(wanted, held), [5, 2, 3, 4]);
});

test('an empty pool fills in priority order, and a short pool keeps the most wanted', () => {
  assert.deepEqual(planSlots([7, 8, 9], [null, null, null]), [7, 8, 9]);
  assert.deepEqual(planSlots([7, 8, 9, 6], [null, null]), [7, 8]);
  assert.deepEqual(planSlots([7, 8, 9, 6], [8, 3]), [8, 7]);
});

test('edges: first item has no previous, last has no next, duplicates are held once', () => {
  assert.deepEqual(wantedAround([1, 2, 3], 0), [1, 2, 3]);
  assert.deepEqual(wantedAround([1, 2, 3], 2), [3, 2]);
  assert.deepEqual(wantedAround([1, 1, 2], 0), [1, 2]);
  assert.deepEqual(wantedAround([], 0), []);
  assert.deepEqual(planSlots([], [4, null]), [null, null]);
});
