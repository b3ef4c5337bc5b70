import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relativeTime } from './relative-time.ts';

const now = Date.parse('2026-06-15T12:00:00Z');

test('under a minute, and a clock slightly ahead, read as now', () => {
  assert.equal(relativeTime(now - 20_000, now, 'en'), 'now');
  assert.equal(relativeTime(now + 5_000, now, 'en'), 'now');
  assert.equal(relativeTime(now - 20_000, now, 'zh-CN'), '现在');
});

test('minutes, hours and days ago in both languages', () => {
  assert.equal(relativeTime(now - 5 * 60_000, now, 'en'), '5 min. ago');
  assert.equal(relativeTime(now - 5 * 60_000, now, 'zh-CN'), '5分钟前');
  assert.equal(relativeTime(now - 3 * 3_600_000, now, 'en'), '3 hr. ago');
  assert.equal(relativeTime(new Date(now - 86_400_000).toISOString(), now, 'en'), 'yesterday');
  assert.equal(relativeTime(now - 3 * 86_400_000, now, 'zh-CN'), '3天前');
});

test('past a week the date, with the year only when it differs', () => {
  assert.equal(relativeTime('2026-05-01T12:00:00Z', now, 'en'), 'May 1');
  assert.equal(relativeTime('2025-05-01T12:00:00Z', now, 'en'), 'May 1, 2025');
  assert.equal(relativeTime('2026-05-01T12:00:00Z', now, 'zh-CN'), '5月1日');
});

test('an unreadable time gives an empty string, not "Invalid Date"', () => {
  assert.equal(relativeTime('not a date', now, 'en'), '');
});
