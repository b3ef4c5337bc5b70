import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shouldPrecache } from './connection-policy.ts';

const on = { allowCellular: true };
const off = { allowCellular: false };

test('Wi-Fi and ethernet precache without asking', () => {
  assert.equal(shouldPrecache({ type: 'wifi' }, off), true);
  assert.equal(shouldPrecache({ type: 'ethernet', effectiveType: '4g' }, off), true);
  assert.equal(shouldPrecache({ type: 'wifi', effectiveType: '3g' }, off), true, 'type wins');
});

test('Data Saver never precaches', () => {
  assert.equal(shouldPrecache({ type: 'wifi', saveData: true }, on), false);
  assert.equal(shouldPrecache({ effectiveType: '4g', saveData: true }, on), false);
});

test('cellular only when the viewer allowed it, and only when fast', () => {
  assert.equal(shouldPrecache({ type: 'cellular', effectiveType: '4g' }, off), false);
  assert.equal(shouldPrecache({ type: 'cellular', effectiveType: '4g' }, on), true);
  assert.equal(shouldPrecache({ type: 'cellular' }, on), true);
  assert.equal(shouldPrecache({ type: 'cellular', effectiveType: '3g' }, on), false);
});

test('only effectiveType known: 4g with the cellular toggle', () => {
  assert.equal(shouldPrecache({ effectiveType: '4g' }, off), false);
  assert.equal(shouldPrecache({ effectiveType: '4g' }, on), true);
  assert.equal(shouldPrecache({ effectiveType: '3g' }, on), false);
  assert.equal(shouldPrecache({ effectiveType: 'slow-2g' }, on), false);
  assert.equal(shouldPrecache({ type: 'unknown', effectiveType: '4g' }, on), true);
});

test('no API: treated as possibly metered', () => {
  assert.equal(shouldPrecache(undefined, off), false);
  assert.equal(shouldPrecache(null, on), true);
  assert.equal(shouldPrecache({}, on), true);
});

test('offline never precaches', () => {
  assert.equal(shouldPrecache({ type: 'none' }, on), false);
});
