import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunksAround, chunkWindow, defaultChunkPlan } from './history-chunks.ts';

const plan = defaultChunkPlan;

test('the chunk under the playhead comes first, then the ones ahead', () => {
  assert.deepEqual(chunksAround(0, plan), [0, 1]);
  assert.deepEqual(chunksAround(20_000, plan), [0, 1, 2]);
  assert.deepEqual(chunksAround(31_000, plan), [1, 0, 2]);
});

test('the duration bounds what is ahead', () => {
  assert.deepEqual(chunksAround(20_000, plan, 40_000), [0, 1]);
  assert.deepEqual(chunksAround(35_000, plan, 40_000), [1, 0]);
});

test('bad playheads count as zero', () => {
  assert.deepEqual(chunksAround(Number.NaN, plan), [0, 1]);
  assert.deepEqual(chunksAround(-5, plan), [0, 1]);
});

test('windows tile video time without overlap and fit the protocol window', () => {
  assert.deepEqual(chunkWindow(0, plan), { from: 0, to: 29_999 });
  assert.deepEqual(chunkWindow(2, plan), { from: 60_000, to: 89_999 });
  assert.ok(plan.chunkMs <= 10 * 60 * 1000);
});
