import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calendarWeeks, shiftMonth } from './check-in-calendar.ts';

test('a month lays out Monday first, padded to whole weeks', () => {
  // June 2026 starts on a Monday and has 30 days.
  const weeks = calendarWeeks({
    month: '2026-06',
    today: '2026-06-10',
    days: ['2026-06-08', '2026-06-09'],
    streak: 2,
    checkedInToday: false,
  });
  assert.equal(weeks.length, 5);
  assert.equal(weeks[0]![0]!.day, '2026-06-01');
  assert.equal(weeks[4]![2], null);
  const cells = weeks.flat().filter((cell) => cell !== null);
  const june = (d: number) => cells[d - 1]!;
  assert.equal(june(8).checkedIn, true);
  assert.equal(june(10).today, true);
  assert.equal(june(10).points, 15, 'day 3 of the streak');
  assert.equal(june(11).points, 15, 'day 4');
  assert.equal(june(14).points, 50, 'day 7');
  assert.equal(june(15).points, 10, 'day 8 starts the cycle again');
  assert.equal(june(7).points, null);
});

test('after today’s check-in the coming days continue its streak', () => {
  const weeks = calendarWeeks({
    month: '2026-07',
    today: '2026-07-01',
    days: ['2026-07-01'],
    streak: 1,
    checkedInToday: true,
  });
  // July 2026 starts on a Wednesday.
  assert.equal(weeks[0]![0], null);
  assert.equal(weeks[0]![2]!.day, '2026-07-01');
  assert.equal(weeks[0]![2]!.points, null);
  assert.equal(weeks[0]![3]!.points, 10, 'day 2');
});

test('months shift across years', () => {
  assert.equal(shiftMonth('2026-01', -1), '2025-12');
  assert.equal(shiftMonth('2026-12', 1), '2027-01');
});
