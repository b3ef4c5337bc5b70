import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DanmuComment } from './danmu-comment.ts';
import { createDanmuTimeline } from './danmu-timeline.ts';

const at = (posMs: number, mid: string | null, cmid: string | null = null): DanmuComment => ({
  mid,
  uid: mid === null ? null : 1,
  text: `c${posMs}`,
  posMs,
  mode: 'scroll',
  colour: '#ffffff',
  size: 1,
  cmid,
});

test('comments come out in position order, by half-open range', () => {
  const timeline = createDanmuTimeline();
  for (const [pos, mid] of [
    [3000, 'c'],
    [1000, 'a'],
    [2000, 'b'],
    [2000, 'b2'],
  ] as const)
    timeline.add(at(pos, mid));
  assert.deepEqual(
    timeline.between(0, 5000).map((c) => c.mid),
    ['a', 'b', 'b2', 'c'],
  );
  assert.deepEqual(
    timeline.between(1000, 2000).map((c) => c.mid),
    ['b', 'b2'],
  );
  assert.deepEqual(timeline.between(3000, 3000), []);
  assert.deepEqual(timeline.between(5000, 1000), []);
});

test('a message id seen twice (history and live) is kept once', () => {
  const timeline = createDanmuTimeline();
  assert.equal(timeline.add(at(1000, 'a')), true);
  assert.equal(timeline.add(at(1000, 'a')), false);
  assert.equal(timeline.size, 1);
});

test('the echo of an own send is matched by cmid and gives it its mid', () => {
  const timeline = createDanmuTimeline();
  const pending = at(1000, null, 'cmid-0001');
  assert.equal(timeline.add(pending), true);
  assert.equal(timeline.add(at(1000, '77', 'cmid-0001')), false);
  assert.equal(pending.mid, '77');
  assert.equal(timeline.add(at(1000, '77')), false, 'and later copies by mid are dropped too');
  assert.equal(timeline.size, 1);
});

test('a failed own send can be taken back', () => {
  const timeline = createDanmuTimeline();
  timeline.add(at(1000, null, 'cmid-0002'));
  assert.equal(timeline.removeByCmid('cmid-0002')!.posMs, 1000);
  assert.equal(timeline.removeByCmid('cmid-0002'), null);
  assert.equal(timeline.size, 0);
  timeline.add(at(1, 'x'));
  timeline.clear();
  assert.equal(timeline.size, 0);
  assert.equal(timeline.add(at(1, 'x')), true, 'cleared ids are forgotten');
});
