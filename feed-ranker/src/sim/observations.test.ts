import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCatalog, type SimCatalog } from './catalog.ts';
import { isLongWatch, Observations, type Impression } from './observations.ts';
import { stream } from './random-streams.ts';

function smallCatalog(items: number): SimCatalog {
  const rows = Array.from({ length: items }, (_, i) => `${i},60000,${i % 3}`);
  return parseCatalog(['video_id,video_duration,tag', ...rows].join('\n'), stream(1, 1));
}

function impression(viewer: number, item: number, ratio: number, skipped = false): Impression {
  return {
    viewer,
    session: 0,
    position: 0,
    item,
    seconds: ratio * 60,
    ratio,
    skipped,
    liked: false,
  };
}

test('the hot list stays sorted by long watches as they come in', () => {
  const catalog = smallCatalog(60);
  const observations = new Observations(catalog, 5, stream(1, 2));
  const random = stream(2, 2);
  const counts = new Array<number>(60).fill(0);
  for (let k = 1; k <= 3000; k += 1) {
    // Skewed toward low ids, so counts spread out and blocks of ties form and empty.
    const item = Math.floor(random() ** 2 * 60);
    const watch = impression(Math.floor(random() * 5), item, random(), random() < 0.2);
    observations.observe(watch);
    if (isLongWatch(watch)) counts[item]! += 1;
    if (k % 150 === 0) {
      const hot = observations.popular(60, new Set());
      assert.deepEqual(
        [...hot].sort((a, b) => a - b),
        [...Array(60).keys()],
        'every item once',
      );
      const ordered = hot.map((i) => counts[i]!);
      assert.deepEqual(
        ordered,
        [...ordered].sort((a, b) => b - a),
        `sorted after ${k}`,
      );
      assert.deepEqual([...observations.itemLong], counts);
    }
  }
  const top = observations.popular(5, new Set([observations.popular(1, new Set())[0]!]));
  assert.equal(top.length, 5, 'excluded items are passed over, not counted');
});

test('skips and short watches are logged but are not long watches', () => {
  const observations = new Observations(smallCatalog(6), 2, stream(1, 2));
  observations.observe(impression(0, 1, 0.03, true));
  observations.observe(impression(0, 2, 0.5));
  observations.observe(impression(1, 2, 0.9));
  assert.deepEqual([...observations.itemLong], [0, 0, 1, 0, 0, 0]);
  assert.deepEqual([...observations.itemImpressions], [0, 1, 2, 0, 0, 0]);
  assert.equal(observations.itemSkips[1], 1);
  assert.equal(observations.totals.long, 1);
  assert.deepEqual(observations.viewerTagStats(0, 1), [1, 0.03, 1, 0]);
  assert.throws(() => observations.observe(impression(2, 0, 1)), RangeError);
  assert.throws(() => observations.observe(impression(0, 6, 1)), RangeError);
});

test('co-watch links the items one viewer watched long, and finds them for another', () => {
  const observations = new Observations(smallCatalog(10), 3, stream(1, 2));
  for (const [viewer, item] of [
    [0, 1],
    [0, 2],
    [1, 1],
    [1, 3],
    [2, 1],
  ] as const)
    observations.observe(impression(viewer, item, 1));
  observations.observe(impression(1, 4, 0.1)); // a poor watch links nothing
  const neighbours = observations.neighbours(2);
  assert.deepEqual([...neighbours.keys()].sort(), [2, 3]);
  // cosine: together 1, item 1 has 3 long watches, items 2 and 3 one each.
  assert.ok(Math.abs(neighbours.get(2)! - 1 / Math.sqrt(3)) < 1e-9);
  assert.deepEqual([...observations.neighbours(0).keys()].sort(), [1, 2, 3]);
});
