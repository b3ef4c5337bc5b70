import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCatalog } from './catalog.ts';
import { stream } from './random-streams.ts';
import {
  advance,
  DRAWS_PER_REACTION,
  endedEarly,
  react,
  SESSION_LIMITS,
  startSession,
  type Reaction,
} from './watch-model.ts';
import type { Viewer, World } from './world.ts';

/** Items 0..199 carry tag "a", 200..399 tag "b"; durations as given; every item of equal quality. */
function twoTagWorld(duration: (item: number) => number): World {
  const rows = Array.from(
    { length: 400 },
    (_, i) => `${i},${duration(i) * 1000},${i < 200 ? 'a' : 'b'}`,
  );
  const catalog = parseCatalog(['video_id,video_duration,tag', ...rows].join('\n'), stream(1, 1));
  return { catalog, quality: new Float64Array(catalog.size), viewers: [] };
}

function viewerOf(world: World, taste: Record<string, number>, centreSeconds = 60): Viewer {
  const weights = Float64Array.from(world.catalog.tagNames, (name) => taste[name] ?? 0);
  return {
    id: 0,
    taste: weights,
    tasteMax: Math.max(...weights),
    openness: 0.1,
    durationCentre: Math.log(centreSeconds),
    durationWidth: 0.8,
    patience: 3,
    likePropensity: 0.3,
  };
}

function watchMany(world: World, viewer: Viewer, items: number[]) {
  const reactions = items.map((item) => react(world, viewer, item, stream(9, 1, item)));
  const mean = (f: (r: Reaction) => number) =>
    reactions.reduce((n, r) => n + f(r), 0) / reactions.length;
  return {
    seconds: mean((r) => r.seconds),
    ratio: mean((r) => r.ratio),
    skips: mean((r) => (r.skipped ? 1 : 0)),
    likes: mean((r) => (r.liked ? 1 : 0)),
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

test('a viewer whose taste is one tag watches longer on items of that tag', () => {
  const world = twoTagWorld(() => 60);
  const viewer = viewerOf(world, { a: 1 });
  const liked = watchMany(world, viewer, range(0, 200));
  const other = watchMany(world, viewer, range(200, 400));
  assert.ok(liked.seconds > 2 * other.seconds, `${liked.seconds} s against ${other.seconds} s`);
  assert.ok(liked.skips < 0.2 && other.skips > 0.5, `skips ${liked.skips} and ${other.skips}`);
  assert.ok(liked.likes > other.likes, 'likes follow taste');
  const skips = range(200, 400)
    .map((item) => react(world, viewer, item, stream(9, 1, item)))
    .filter((r) => r.skipped);
  assert.ok(
    skips.every((r) => r.seconds < 3 && !r.liked),
    'a skip is under 3 s, never liked',
  );
});

test('the watched share falls for items far longer than the viewer likes', () => {
  const world = twoTagWorld((item) => (item % 2 === 0 ? 30 : 600));
  const viewer = viewerOf(world, { a: 1, b: 1 }, 30);
  const items = range(0, 400);
  const short = watchMany(
    world,
    viewer,
    items.filter((i) => i % 2 === 0),
  );
  const long = watchMany(
    world,
    viewer,
    items.filter((i) => i % 2 === 1),
  );
  assert.ok(short.ratio > long.ratio + 0.2, `${short.ratio} against ${long.ratio}`);
});

test('hidden quality raises the watched share among equally matched items', () => {
  const world = twoTagWorld(() => 60);
  world.quality.fill(1.5, 0, 100);
  world.quality.fill(-1.5, 100, 200);
  const viewer = viewerOf(world, { a: 1 });
  const good = watchMany(world, viewer, range(0, 100));
  const poor = watchMany(world, viewer, range(100, 200));
  assert.ok(good.ratio > poor.ratio, `${good.ratio} against ${poor.ratio}`);
});

test('every reaction draws the same count of numbers, so streams stay aligned', () => {
  const world = twoTagWorld(() => 60);
  const viewer = viewerOf(world, { a: 1 });
  for (let seed = 0; seed < 50; seed += 1) {
    const watched = stream(seed, 2);
    const skipped = stream(seed, 2);
    react(world, viewer, 0, watched);
    react(world, viewer, 300, skipped);
    assert.equal(watched(), skipped(), `seed ${seed}`);
  }
  const fresh = stream(3, 2);
  for (let k = 0; k < DRAWS_PER_REACTION; k += 1) fresh();
  const used = stream(3, 2);
  react(world, viewer, 5, used);
  assert.equal(used(), fresh(), `a reaction draws exactly ${DRAWS_PER_REACTION} numbers`);
});

test('skips use up patience and end the session early; good watches keep it going', () => {
  const world = twoTagWorld(() => 20);
  const viewer = viewerOf(world, { a: 1 });
  const skip: Reaction = { seconds: 1, ratio: 0.05, skipped: true, liked: false };
  const good: Reaction = { seconds: 20, ratio: 1, skipped: false, liked: false };

  const bored = startSession(viewer, stream(4, 1));
  while (bored.ended === null) advance(bored, skip);
  assert.equal(bored.ended, 'patience');
  assert.ok(bored.items <= Math.ceil(viewer.patience * 1.25), `${bored.items} skips`);
  assert.equal(endedEarly(bored), true);

  const hooked = startSession(viewer, stream(4, 1));
  while (hooked.ended === null) advance(hooked, good);
  assert.equal(hooked.ended, 'items');
  assert.equal(hooked.items, SESSION_LIMITS.maxItems);
  assert.equal(endedEarly(hooked), false);

  // A viewer who watched a while and then ran out of patience did not leave early.
  const late = startSession(viewer, stream(4, 1));
  for (let k = 0; k < SESSION_LIMITS.earlyItems; k += 1) advance(late, good);
  while (late.ended === null) advance(late, skip);
  assert.equal(late.ended, 'patience');
  assert.equal(endedEarly(late), false);
});
