import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  loadOfflineSettings,
  parseOfflineSettings,
  saveOfflineSettings,
} from './offline-settings.ts';

test('reads the stored choice, defaults for anything else', () => {
  assert.deepEqual(parseOfflineSettings('{"allowCellular":true}'), { allowCellular: true });
  assert.deepEqual(parseOfflineSettings('{"allowCellular":"yes"}'), { allowCellular: false });
  for (const raw of [null, '', '{', '[]', 'null', '42'])
    assert.deepEqual(parseOfflineSettings(raw), { allowCellular: false }, String(raw));
});

test('round-trips through storage and survives a throwing one', () => {
  const map = new Map<string, string>();
  const storage = {
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
  };
  saveOfflineSettings(storage, { allowCellular: true });
  assert.deepEqual(loadOfflineSettings(storage), { allowCellular: true });
  const broken = {
    getItem: (): string | null => {
      throw new Error('SecurityError');
    },
    setItem: () => {
      throw new Error('QuotaExceededError');
    },
  };
  assert.deepEqual(loadOfflineSettings(broken), { allowCellular: false });
  assert.doesNotThrow(() => saveOfflineSettings(broken, { allowCellular: true }));
  assert.deepEqual(loadOfflineSettings(null), { allowCellular: false });
});
