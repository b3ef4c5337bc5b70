import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cleanKeyword,
  danmuSettingsKey,
  defaultDanmuSettings,
  loadSettings,
  normalizeSettings,
  saveSettings,
} from './danmu-settings.ts';

function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return {
    map,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
  };
}

test('nothing stored gives the defaults', () => {
  assert.deepEqual(loadSettings(memoryStorage()), defaultDanmuSettings);
  assert.deepEqual(loadSettings(null), defaultDanmuSettings);
});

test('garbage in storage gives the defaults, never a throw', () => {
  for (const raw of ['{', 'null', '42', '"x"', '[]', 'undefined', '{"density":"lots"}']) {
    assert.deepEqual(
      loadSettings(memoryStorage({ [danmuSettingsKey]: raw })),
      defaultDanmuSettings,
      raw,
    );
  }
  const throwing = {
    getItem: () => {
      throw new Error('SecurityError');
    },
  };
  assert.deepEqual(loadSettings(throwing), defaultDanmuSettings);
});

test('values are clamped and rounded to their steps', () => {
  const s = normalizeSettings({
    density: 7,
    opacity: 0.01,
    fontSize: 100.4,
    area: 0.3,
    enabled: 'no',
  });
  assert.equal(s.density, 1);
  assert.equal(s.opacity, 0.2);
  assert.equal(s.fontSize, 36);
  assert.equal(s.area, defaultDanmuSettings.area, 'an area not offered falls back');
  assert.equal(s.enabled, true);
  assert.equal(normalizeSettings({ density: 0.34 }).density, 0.3);
  assert.equal(normalizeSettings({ density: -1 }).density, 0.1);
  assert.equal(normalizeSettings({ fontSize: Number.NaN }).fontSize, 20);
  assert.equal(normalizeSettings({ area: 0.75 }).area, 0.75);
});

test('keywords are cleaned, deduplicated case-insensitively and bounded', () => {
  const s = normalizeSettings({
    blockedKeywords: ['  spoiler ', 'SPOILER', '', 5, null, 'a\n b', 'x'.repeat(50)],
  });
  assert.deepEqual(s.blockedKeywords, ['spoiler', 'a b', 'x'.repeat(30)]);
  const many = normalizeSettings({
    blockedKeywords: Array.from({ length: 300 }, (_, i) => `k${i}`),
  });
  assert.equal(many.blockedKeywords.length, 100);
  assert.equal(cleanKeyword('   '), null);
});

test('blocked modes keep only known modes, in a fixed order', () => {
  assert.deepEqual(
    normalizeSettings({ blockedModes: ['bottom', 'rainbow', 'scroll', 'bottom'] }).blockedModes,
    ['scroll', 'bottom'],
  );
  assert.deepEqual(normalizeSettings({ blockedModes: 'top' }).blockedModes, []);
});

test('settings survive a save and load; a refusing storage reports false', () => {
  const storage = memoryStorage();
  const chosen = normalizeSettings({
    enabled: false,
    density: 0.5,
    area: 1,
    blockedKeywords: ['剧透'],
  });
  assert.equal(saveSettings(storage, chosen), true);
  assert.deepEqual(loadSettings(storage), chosen);
  const full = {
    setItem: () => {
      throw new Error('QuotaExceededError');
    },
  };
  assert.equal(saveSettings(full, chosen), false);
  assert.equal(saveSettings(null, chosen), false);
});
