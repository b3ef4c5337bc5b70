import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brightnessFactor, brightnessFilter, neutralBrightness } from './brightness-filter.ts';

test('the middle level leaves the picture untouched; the ends dim and brighten', () => {
  assert.equal(brightnessFactor(neutralBrightness), 1);
  assert.equal(brightnessFilter(neutralBrightness), 'none');
  assert.equal(brightnessFactor(0), 0.25);
  assert.equal(brightnessFactor(1), 1.6);
  assert.equal(brightnessFilter(1), 'brightness(1.600)');
  assert.equal(brightnessFilter(0.25), 'brightness(0.625)');
});

test('the factor rises with the level and never leaves its range', () => {
  let previous = -Infinity;
  for (let level = 0; level <= 1; level += 0.05) {
    const factor = brightnessFactor(level);
    assert.ok(factor > previous);
    previous = factor;
  }
  assert.equal(brightnessFactor(-3), 0.25);
  assert.equal(brightnessFactor(9), 1.6);
  assert.equal(brightnessFactor(Number.NaN), 1);
});
