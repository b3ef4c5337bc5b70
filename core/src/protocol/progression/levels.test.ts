import assert from 'node:assert/strict';
import { test } from 'node:test';
import { levelOf, levelThresholds, maxLevel } from './levels.ts';

test('each threshold starts its level, one below stays in the one before', () => {
  for (const [level, threshold] of levelThresholds.entries()) {
    assert.equal(levelOf(threshold).level, level, `${threshold} xp`);
    if (level > 0) assert.equal(levelOf(threshold - 1).level, level - 1, `${threshold - 1} xp`);
  }
});

test('progress runs from 0 at a threshold towards 1 at the next; the top level is full', () => {
  assert.deepEqual(levelOf(0), { level: 0, xp: 0, levelXp: 0, nextLevelXp: 1, progress: 0 });
  assert.deepEqual(levelOf(850), {
    level: 2,
    xp: 850,
    levelXp: 200,
    nextLevelXp: 1_500,
    progress: 0.5,
  });
  assert.deepEqual(levelOf(1_000_000), {
    level: maxLevel,
    xp: 1_000_000,
    levelXp: 28_800,
    nextLevelXp: null,
    progress: 1,
  });
});

test('nonsense experience counts as none', () => {
  for (const xp of [-5, Number.NaN, Number.NEGATIVE_INFINITY])
    assert.equal(levelOf(xp).level, 0, String(xp));
  assert.equal(levelOf(199.9).level, 1);
});

test('levels only go up as experience grows', () => {
  let previous = 0;
  for (let xp = 0; xp <= 30_000; xp += 7) {
    const { level, progress } = levelOf(xp);
    assert.ok(level >= previous);
    assert.ok(progress >= 0 && progress <= 1);
    previous = level;
  }
});
