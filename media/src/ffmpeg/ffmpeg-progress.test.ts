import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgressParser, progressFraction } from './ffmpeg-progress.ts';

test('blocks split across chunks yield one position each', () => {
  const parser = createProgressParser();
  assert.deepEqual(parser.push('frame=10\nout_time_us=1500000\nprogr'), []);
  assert.deepEqual(parser.push('ess=continue\nout_time_us=N/A\nout_time_us=3000000\n'), [1.5]);
  assert.deepEqual(parser.push('progress=end\n'), [3]);
});

test('fraction is clamped and zero for unknown durations', () => {
  assert.equal(progressFraction(1, 4), 0.25);
  assert.equal(progressFraction(5, 4), 1);
  assert.equal(progressFraction(-1, 4), 0);
  assert.equal(progressFraction(1, 0), 0);
  assert.equal(progressFraction(1, Number.NaN), 0);
});
