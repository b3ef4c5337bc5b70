import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDays, checkInPoints, daysOfMonth, isUtcDay, isUtcMonth, utcDay } from './check-in.ts';

test('check-in points follow the 7-day cycle and start over on day 8', () => {
  assert.deepEqual(
    Array.from({ length: 15 }, (_, i) => checkInPoints(i + 1)),
    [10, 10, 15, 15, 20, 20, 50, 10, 10, 15, 15, 20, 20, 50, 10],
  );
  for (const streak of [0, -1, 1.5, Number.NaN])
    assert.throws(() => checkInPoints(streak), RangeError);
});

test('UTC days: formatting, validation and stepping across months, years and leap days', () => {
  assert.equal(utcDay(new Date('2026-03-01T23:59:59.999+08:00')), '2026-03-01');
  assert.equal(utcDay(new Date('2026-03-01T00:30:00+08:00')), '2026-02-28');
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  assert.equal(addDays('2028-03-01', -1), '2028-02-29');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  for (const good of ['2026-01-31', '2028-02-29']) assert.ok(isUtcDay(good), good);
  for (const bad of ['2026-02-29', '2026-13-01', '2026-1-01', '2026-01-01T00', '', 'x'])
    assert.ok(!isUtcDay(bad), bad);
  assert.throws(() => addDays('2026-02-30', 1), RangeError);
});

test('months list their days', () => {
  assert.equal(daysOfMonth('2026-02').length, 28);
  assert.equal(daysOfMonth('2028-02').length, 29);
  assert.deepEqual(daysOfMonth('2026-04').slice(-2), ['2026-04-29', '2026-04-30']);
  assert.ok(isUtcMonth('2026-12'));
  for (const bad of ['2026-00', '2026-13', '2026-1', '202601']) assert.ok(!isUtcMonth(bad), bad);
  assert.throws(() => daysOfMonth('2026-13'), RangeError);
});
