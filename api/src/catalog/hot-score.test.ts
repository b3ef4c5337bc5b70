import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hotScore } from './hot-score.ts';

test('matches the formula', () => {
  assert.equal(hotScore(0, 0, 0), 1 / 2 ** 1.5);
  assert.equal(hotScore(94, 1, 2), 100 / 8);
});

test('decays with age and grows with engagement', () => {
  assert.ok(hotScore(100, 0, 1) > hotScore(100, 0, 10));
  assert.ok(hotScore(101, 0, 5) > hotScore(100, 0, 5));
  assert.ok(hotScore(0, 1, 5) > hotScore(4, 0, 5), 'a like outweighs four views');
  // A day-old series needs far more traction to beat a fresh one.
  assert.ok(hotScore(50, 0, 1) > hotScore(500, 0, 48));
});

test('future publication dates count as age zero', () => {
  assert.equal(hotScore(10, 0, -5), hotScore(10, 0, 0));
});
