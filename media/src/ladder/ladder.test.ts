import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planLadder } from './ladder.ts';

const portrait = { width: 720, height: 1280, hasAudio: true, fps: 30 };

test('portrait 720x1280 gets 360p and 720p, never 1080p', () => {
  const plan = planLadder(portrait);
  assert.deepEqual(
    plan.map((r) => [r.name, r.width, r.height]),
    [
      ['360p', 360, 640],
      ['720p', 720, 1280],
    ],
  );
  assert.deepEqual(
    plan.map((r) => r.codecs),
    ['avc1.4d401e,mp4a.40.2', 'avc1.4d401f,mp4a.40.2'],
  );
});

test('1080x1920 gets three rungs; landscape is capped by its height', () => {
  assert.deepEqual(
    planLadder({ ...portrait, width: 1080, height: 1920 }).map((r) => `${r.width}x${r.height}`),
    ['360x640', '720x1280', '1080x1920'],
  );
  assert.deepEqual(
    planLadder({ ...portrait, width: 1280, height: 720 }).map((r) => `${r.width}x${r.height}`),
    ['640x360', '1280x720'],
  );
  const level40 = planLadder({ ...portrait, width: 1080, height: 1920 })[2]!;
  assert.equal(level40.level, '4.0');
  assert.equal(level40.codecs, 'avc1.4d4028,mp4a.40.2');
});

test('dimensions are even and the aspect is kept', () => {
  for (const plan of [
    planLadder({ ...portrait, width: 721, height: 1279 }),
    planLadder({ ...portrait, width: 1000, height: 1777 }),
  ]) {
    for (const r of plan) {
      assert.equal(r.width % 2, 0);
      assert.equal(r.height % 2, 0);
    }
  }
  const r = planLadder({ ...portrait, width: 1000, height: 1777 })[0]!;
  assert.ok(Math.abs(r.width / r.height - 1000 / 1777) < 0.01);
});

test('bandwidth is the peak including audio and grows with the rung', () => {
  const [low, high] = planLadder(portrait);
  assert.ok(low!.bandwidth > (low!.maxrateKbps + 96) * 1000);
  assert.ok(high!.bandwidth > low!.bandwidth);
  const silent = planLadder({ ...portrait, hasAudio: false })[0]!;
  assert.equal(silent.codecs, 'avc1.4d401e');
  assert.ok(silent.bandwidth < low!.bandwidth);
});

test('a source smaller than the lowest rung keeps its own size; a 540p one keeps a native rung', () => {
  assert.deepEqual(
    planLadder({ ...portrait, width: 181, height: 321 }).map(
      (r) => `${r.name} ${r.width}x${r.height}`,
    ),
    ['180p 180x320'],
  );
  assert.deepEqual(
    planLadder({ ...portrait, width: 540, height: 960 }).map((r) => r.name),
    ['360p', '540p'],
  );
  assert.deepEqual(
    planLadder({ ...portrait, width: 400, height: 710 }).map((r) => r.name),
    ['360p'],
  );
});

test('custom ladders and bad input', () => {
  const plan = planLadder({ ...portrait, width: 180, height: 320 }, [
    { shortSide: 180, videoKbps: 300, audioKbps: 64 },
    { shortSide: 120, videoKbps: 150, audioKbps: 64 },
  ]);
  assert.deepEqual(
    plan.map((r) => `${r.width}x${r.height}`),
    ['120x214', '180x320'],
  );
  assert.throws(() => planLadder({ ...portrait, width: 0 }), RangeError);
});
