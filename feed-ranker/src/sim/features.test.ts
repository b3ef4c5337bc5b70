import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCatalog } from './catalog.ts';
import { SIM_DIM, SIM_FEATURES, writeFeatures } from './features.ts';
import { Observations, type Impression } from './observations.ts';
import { stream } from './random-streams.ts';

/** Items 0..9 tag "a", 10..19 tag "b", 20..29 no tag. */
const catalog = parseCatalog(
  [
    'video_id,video_duration,tag',
    ...Array.from(
      { length: 30 },
      (_, i) => `${i},${(20 + i) * 1000},${['a', 'b', ''][Math.floor(i / 10)]}`,
    ),
  ].join('\n'),
  stream(1, 1),
);

function impression(viewer: number, item: number, ratio: number, skipped: boolean): Impression {
  const seconds = ratio * catalog.durationS[item]!;
  return { viewer, session: 0, position: 0, item, seconds, ratio, skipped, liked: false };
}

function features(
  observations: Observations,
  viewer: number,
  session: Impression[],
  items: number[],
) {
  const out = new Float32Array(items.length * SIM_DIM);
  writeFeatures(observations, viewer, session, items, out);
  const at = (row: number, name: (typeof SIM_FEATURES)[number]) =>
    out[row * SIM_DIM + SIM_FEATURES.indexOf(name)]!;
  return { out, at };
}

test('tag affinity follows what the viewer watched, not what they skipped', () => {
  const observations = new Observations(catalog, 2, stream(1, 2));
  for (let i = 0; i < 5; i += 1) {
    observations.observe(impression(0, i, 0.95, false));
    observations.observe(impression(0, 10 + i, 0.04, true));
  }
  const { out, at } = features(observations, 0, [], [7, 17, 27]);
  assert.ok(out.every(Number.isFinite));
  assert.ok(at(0, 'cross_tag_watch_ratio') > 0, 'the watched tag');
  assert.ok(at(1, 'cross_tag_watch_ratio') < 0, 'the skipped tag');
  assert.ok(at(1, 'cross_tag_skip_rate') > at(0, 'cross_tag_skip_rate'));
  assert.equal(at(0, 'cross_tag_long_share'), Math.fround(5 / 6));
  assert.equal(at(2, 'cross_tag_watch_ratio'), 0, 'an untagged item has no tag affinity');
  assert.equal(at(2, 'item_has_tags'), 0);

  const cold = features(observations, 1, [], [7, 17]);
  assert.equal(cold.at(0, 'cross_tag_watch_ratio'), 0, 'a new viewer has no affinity yet');
  assert.equal(cold.at(0, 'user_log_impressions'), 0);
  assert.equal(cold.at(0, 'cross_duration_gap'), 0);
});

test('in-session signals count this session only', () => {
  const observations = new Observations(catalog, 1, stream(1, 2));
  const session = [
    impression(0, 10, 0.04, true),
    impression(0, 11, 0.05, true),
    impression(0, 1, 0.9, false),
  ];
  for (const watch of session) observations.observe(watch);
  const { at } = features(observations, 0, session, [12, 2]);
  assert.equal(at(0, 'session_items'), 3);
  assert.equal(at(0, 'session_recent_skips'), 2);
  assert.equal(at(0, 'session_tag_seen'), 2);
  assert.equal(at(0, 'session_tag_skips'), 2);
  assert.equal(at(1, 'session_tag_seen'), 1);
  assert.ok(at(1, 'session_tag_watch_ratio') > at(0, 'session_tag_watch_ratio'));
  const fresh = features(observations, 0, [], [12]);
  assert.equal(fresh.at(0, 'session_items'), 0, 'a new session starts with none');
});
