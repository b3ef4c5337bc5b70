import { checkInPoints, daysOfMonth } from '@binge/core/protocol/progression/check-in';

/**
 * The check-in calendar's grid: a month in weeks starting on Monday (as Chinese calendars do),
 * each day marked checked in, today, or still to come with the points it would give if the
 * streak holds (the same cycle the server credits by, protocol/progression/check-in.ts).
 */
export interface CalendarCell {
  readonly day: string;
  readonly date: number;
  readonly checkedIn: boolean;
  readonly today: boolean;
  readonly future: boolean;
  /** Points if the streak continues to this day; null for past days and when it cannot. */
  readonly points: number | null;
}

export interface CalendarInput {
  month: string;
  today: string;
  days: readonly string[];
  streak: number;
  checkedInToday: boolean;
}

export function calendarWeeks(input: CalendarInput): Array<Array<CalendarCell | null>> {
  const checked = new Set(input.days);
  const all = daysOfMonth(input.month);
  const first = new Date(`${all[0]}T00:00:00Z`).getUTCDay();
  const lead = (first + 6) % 7;
  const cells: Array<CalendarCell | null> = Array.from({ length: lead }, () => null);
  for (const day of all) {
    const today = day === input.today;
    const future = day > input.today;
    let points: number | null = null;
    if (today && !input.checkedInToday) points = checkInPoints(input.streak + 1);
    else if (future) {
      const ahead = Math.round((Date.parse(day) - Date.parse(input.today)) / 86_400_000);
      // Today's check-in (done or not) is part of the streak that reaches this day.
      points = checkInPoints(input.streak + ahead + (input.checkedInToday ? 0 : 1));
    }
    cells.push({
      day,
      date: Number(day.slice(8)),
      checkedIn: checked.has(day),
      today,
      future,
      points,
    });
  }
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: Array<Array<CalendarCell | null>> = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** The month before or after `month` (`YYYY-MM`). */
export function shiftMonth(month: string, by: number): string {
  const [year, number] = month.split('-').map(Number) as [number, number];
  const at = new Date(Date.UTC(year, number - 1 + by, 1));
  return at.toISOString().slice(0, 7);
}
