import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration } from './duration.ts';

test('formats minutes and seconds, and hours when present', () => {
  assert.equal(formatDuration(7_000), '0:07');
  assert.equal(formatDuration(245_999), '4:05');
  assert.equal(formatDuration(3_723_000), '1:02:03');
});

test('reads 0:00 for nonsense', () => {
  assert.equal(formatDuration(-1), '0:00');
  assert.equal(formatDuration(Number.NaN), '0:00');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), '0:00');
});
