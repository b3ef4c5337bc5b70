import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../model/ranker-model.ts';
import {
  buildFeatures,
  featureNames,
  HISTORY,
  samplePositions,
  splitByTime,
  SplitError,
  TrainHistory,
} from './features.ts';
import { FLAG, type LogTable, type VideoTable } from './kuairand.ts';

interface Row {
  user: number;
  video: number;
  time: number;
  longView?: boolean;
  click?: boolean;
  playMs?: number;
  durationMs?: number;
}

function logOf(rows: Row[]): LogTable {
  return {
    rows: rows.length,
    user: Int32Array.from(rows, (r) => r.user),
    video: Int32Array.from(rows, (r) => r.video),
    time: Float64Array.from(rows, (r) => r.time),
    playMs: Float64Array.from(rows, (r) => r.playMs ?? 1000),
    durationMs: Float64Array.from(rows, (r) => r.durationMs ?? 10_000),
    flags: Uint8Array.from(
      rows,
      (r) => (r.longView ? FLAG.longView : 0) | (r.click ? FLAG.click : 0),
    ),
  };
}

/** Videos 0..count-1, video v tagged `v % tags`, uploaded on day 19000. */
function videosOf(count: number, tags = 3): VideoTable {
  return {
    count,
    known: new Uint8Array(count).fill(1),
    durationMs: Float64Array.from({ length: count }, (_, v) => 5000 + v * 1000),
    uploadDay: new Int32Array(count).fill(19_000),
    isAd: new Uint8Array(count),
    landscape: new Uint8Array(count),
    uploadType: new Int32Array(count).fill(0),
    uploadTypes: ['Web'],
    tagStart: Int32Array.from({ length: count }, (_, v) => v),
    tagCount: new Uint8Array(count).fill(1),
    tagPool: Uint16Array.from({ length: count }, (_, v) => v % tags),
    tags: Array.from({ length: tags }, (_, t) => String(t)),
  };
}

test('the split cuts at a time: earlier rows train, rows at the cut and after test', () => {
  const log = logOf([5, 1, 3, 3, 3, 9, 7, 2, 4, 8].map((time, user) => ({ user, video: 0, time })));
  const half = splitByTime(log, 0.5);
  assert.deepEqual(
    [...half.train].map((r) => log.time[r]),
    [1, 2, 3, 3, 3],
  );
  assert.deepEqual(
    [...half.test].map((r) => log.time[r]),
    [4, 5, 7, 8, 9],
  );
  assert.equal(half.splitTime, 4);
  // The 30 % cut falls inside the three rows at time 3: all three go to test.
  const tied = splitByTime(log, 0.3);
  assert.deepEqual(
    [...tied.train].map((r) => log.time[r]),
    [1, 2],
  );
  assert.equal(tied.test.length, 8);
  assert.equal(tied.splitTime, 3);
  assert.throws(() => splitByTime(log, 1), SplitError);
  assert.throws(() => splitByTime(log, 0), SplitError);
  assert.throws(() => splitByTime(logOf([{ user: 0, video: 0, time: 1 }]), 0.5), SplitError);
  const sameTime = logOf([0, 1, 2, 3].map((user) => ({ user, video: 0, time: 7 })));
  assert.throws(() => splitByTime(sameTime, 0.5), /nothing is earlier/);
});

/** 60 users × 10 videos at random times; long views depend on the user and the video. */
function world(seed: number): Row[] {
  const random = seededRandom(seed);
  const rows: Row[] = [];
  for (let i = 0; i < 600; i += 1) {
    const user = Math.floor(random() * 60);
    const video = Math.floor(random() * 10);
    const longView = random() < 0.1 + 0.05 * (video % 4) + (user % 3 === 0 ? 0.3 : 0);
    rows.push({
      user,
      video,
      time: 1_650_000_000_000 + Math.floor(random() * 86_400_000),
      longView,
      click: random() < 0.3,
      playMs: longView ? 9000 : 500,
    });
  }
  return rows;
}

test('test labels reach no feature and no baseline: the time split leaks nothing', () => {
  const rows = world(3);
  const log = logOf(rows);
  const videos = videosOf(10);
  const split = splitByTime(log, 0.8);
  const base = buildFeatures(log, videos, null, split);

  // Every label of every test row turned over: long views, clicks, watch time.
  const flipped = logOf(rows);
  for (const row of split.test) {
    flipped.flags[row] = flipped.flags[row]! ^ (FLAG.longView | FLAG.click);
    flipped.playMs[row] = flipped.playMs[row] === 9000 ? 500 : 9000;
  }
  const after = buildFeatures(flipped, videos, null, splitByTime(flipped, 0.8));
  assert.deepEqual(after.trainX, base.trainX);
  assert.deepEqual(after.testX, base.testX);
  assert.deepEqual(after.popularity, base.popularity);
  assert.deepEqual(after.cowatch, base.cowatch);

  // The same change to one training row does move features: the comparison above can fail.
  const trainFlipped = logOf(rows);
  const row = split.train[10]!;
  trainFlipped.flags[row] = trainFlipped.flags[row]! ^ FLAG.longView;
  const moved = buildFeatures(trainFlipped, videos, null, splitByTime(trainFlipped, 0.8));
  assert.notDeepEqual(moved.testX, base.testX);
  assert.notDeepEqual(moved.popularity, base.popularity);
});

test('a training row is described by the rows before it, never by its own label', () => {
  const names = featureNames(false);
  const plays = names.indexOf('item_log_plays');
  const rate = names.indexOf('item_long_view_rate');
  const userPlays = names.indexOf('user_log_plays');
  const rows: Row[] = [
    { user: 1, video: 4, time: 10, longView: true },
    { user: 2, video: 4, time: 20, longView: true },
    { user: 3, video: 5, time: 30 },
    { user: 1, video: 4, time: 40 },
    { user: 9, video: 4, time: 50 },
  ];
  const log = logOf(rows);
  const split = splitByTime(log, 0.8);
  assert.equal(split.test.length, 1);
  const { trainX, testX } = buildFeatures(log, videosOf(10), null, split);
  const dim = names.length;
  const at = (x: Float32Array, i: number, c: number) => x[i * dim + c]!;
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => at(trainX, i, plays)),
    [0, Math.log1p(1), 0, Math.log1p(2)].map(Math.fround),
  );
  assert.equal(at(trainX, 3, userPlays), Math.fround(Math.log1p(1)), 'user 1 had one row before');
  // The first row's own long view is not in its rate: the same row without it describes alike.
  const without = logOf([{ ...rows[0]!, longView: false }, ...rows.slice(1)]);
  const other = buildFeatures(without, videosOf(10), null, splitByTime(without, 0.8));
  assert.equal(at(other.trainX, 0, rate), at(trainX, 0, rate));
  assert.notEqual(at(other.trainX, 1, rate), at(trainX, 1, rate));
  // The test row sees all three training plays of video 4.
  assert.equal(at(testX, 0, plays), Math.fround(Math.log1p(3)));
});

test('co-watch is the cosine-normalised co-long-view count with the user history', () => {
  // Users 1 and 2 long-view 10 then 20; user 3 long-views 10 only. Co(10, 20) = 2, n10 = 3, n20 = 2.
  const rows: Row[] = [
    { user: 1, video: 10, time: 1, longView: true },
    { user: 1, video: 20, time: 2, longView: true },
    { user: 2, video: 10, time: 3, longView: true },
    { user: 2, video: 20, time: 4, longView: true },
    { user: 3, video: 10, time: 5, longView: true },
    { user: 5, video: 45, time: 6 },
    { user: 4, video: 30, time: 7, longView: true },
    { user: 4, video: 30, time: 8, longView: true },
    // test
    { user: 3, video: 20, time: 100 },
    { user: 3, video: 30, time: 101 },
    { user: 3, video: 40, time: 102 },
  ];
  const log = logOf(rows);
  const split = splitByTime(log, 0.75);
  assert.equal(split.test.length, 3);
  const features = buildFeatures(log, videosOf(50), null, split);
  const cowatch = featureNames(false).indexOf('cross_cowatch');
  const dim = featureNames(false).length;
  assert.equal(features.testX[cowatch], Math.fround(2 / Math.sqrt(3 * 2)));
  assert.equal(features.testX[dim + cowatch], 0);
  // The baseline: co-watch first, popularity among the rest (30 was long-viewed in both its
  // plays, above the global rate; 40 never played and sits at the prior).
  assert.ok(Math.abs(features.cowatch[0]! - 2 / Math.sqrt(6)) < 1e-8);
  assert.ok(features.cowatch[0]! > features.cowatch[1]!);
  assert.ok(features.cowatch[1]! > features.cowatch[2]!);
  assert.ok(features.popularity[1]! > features.popularity[2]!);
});

test('co-watch pairs a long view only with the last HISTORY long views of its user', () => {
  const history = new TrainHistory(videosOf(HISTORY + 5), null);
  const rows: Row[] = Array.from({ length: HISTORY + 2 }, (_, i) => ({
    user: 1,
    video: i,
    time: i,
    longView: true,
  }));
  const log = logOf(rows);
  for (let i = 0; i < log.rows; i += 1) history.observe(log, i);
  const last = HISTORY + 1;
  assert.equal(history.cowatch.get(last, last - HISTORY), 1);
  assert.equal(history.cowatch.get(last, 0), 0);
});

test('a training sample describes its rows exactly as the full set does', () => {
  const positions = samplePositions(100, 30, seededRandom(4));
  assert.equal(positions.length, 30);
  assert.equal(new Set(positions).size, 30);
  assert.ok(positions.every((p, i) => p < 100 && (i === 0 || p > positions[i - 1]!)));
  assert.deepEqual([...samplePositions(5, 9, seededRandom(4))], [0, 1, 2, 3, 4]);

  const log = logOf(world(8));
  const videos = videosOf(10);
  const split = splitByTime(log, 0.8);
  const full = buildFeatures(log, videos, null, split);
  const sampled = buildFeatures(log, videos, null, split, {
    maxTrainRows: 100,
    random: seededRandom(2),
  });
  const dim = full.names.length;
  assert.equal(sampled.trainRows.length, 100);
  for (let i = 0; i < sampled.trainRows.length; i += 1) {
    const position = split.train.indexOf(sampled.trainRows[i]!);
    assert.deepEqual(
      sampled.trainX.subarray(i * dim, (i + 1) * dim),
      full.trainX.subarray(position * dim, (position + 1) * dim),
    );
  }
  // The statistics behind the test rows still come from every training row.
  assert.deepEqual(sampled.testX, full.testX);
  assert.deepEqual(sampled.cowatch, full.cowatch);
});
