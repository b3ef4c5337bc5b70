import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qualityOptions, shortSideOf } from './quality-options.ts';

test('names portrait and landscape renditions by their short side', () => {
  assert.equal(shortSideOf({ width: 720, height: 1280 }), 720);
  assert.equal(shortSideOf({ width: 1280, height: 720 }), 720);
  assert.equal(
    shortSideOf({ width: 0, height: 480 }),
    480,
    'no RESOLUTION width: fall back to height',
  );
});

test('lists each rung once, best first, keeping the hls.js level index', () => {
  const options = qualityOptions([
    { width: 360, height: 640, bitrate: 600_000 },
    { width: 1080, height: 1920, bitrate: 4_500_000 },
    { width: 720, height: 1280, bitrate: 2_500_000 },
  ]);
  assert.deepEqual(options, [
    { index: 1, shortSide: 1080, label: '1080p' },
    { index: 2, shortSide: 720, label: '720p' },
    { index: 0, shortSide: 360, label: '360p' },
  ]);
});

test('keeps the richest rendition when two share a rung', () => {
  const options = qualityOptions([
    { width: 720, height: 1280, bitrate: 2_000_000 },
    { width: 720, height: 1280, bitrate: 3_000_000 },
  ]);
  assert.deepEqual(options, [{ index: 1, shortSide: 720, label: '720p' }]);
});

test('drops audio-only or unknown-size levels', () => {
  assert.deepEqual(
    qualityOptions([
      { width: 0, height: 0, bitrate: 64_000 },
      { width: 0, height: Number.NaN, bitrate: 1 },
    ]),
    [],
  );
});
