/**
 * Daily check-in rewards and the UTC day arithmetic behind streaks. Pure and browser-safe: the web
 * calendar shows the points of the coming days with the same function the server credits them by.
 */

/** Points of streak days 1 to 7; day 8 starts the cycle again (10, 10, 15 ...). */
export const checkInPointsCycle = [10, 10, 15, 15, 20, 20, 50] as const;

/** Points for checking in on day `streak` (1-based) of a streak. */
export function checkInPoints(streak: number): number {
  if (!Number.isInteger(streak) || streak < 1) throw new RangeError(`streak ${streak} < 1`);
  return checkInPointsCycle[(streak - 1) % checkInPointsCycle.length]!;
}

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const monthPattern = /^(\d{4})-(\d{2})$/;

/** The UTC day of an instant as `YYYY-MM-DD` (check_ins.day, watch_days.day). */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Whether `value` is a real calendar day written `YYYY-MM-DD`. */
export function isUtcDay(value: string): boolean {
  const match = dayPattern.exec(value);
  if (match === null) return false;
  const at = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return utcDay(at) === value;
}

/** The day `days` after `day` (negative: before). */
export function addDays(day: string, days: number): string {
  if (!isUtcDay(day)) throw new RangeError(`not a day: ${day}`);
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));
}

/** Whether `value` is a month written `YYYY-MM` (the check-in calendar's page). */
export function isUtcMonth(value: string): boolean {
  const match = monthPattern.exec(value);
  return match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 12;
}

/** Every day of a `YYYY-MM` month, in order. */
export function daysOfMonth(month: string): string[] {
  if (!isUtcMonth(month)) throw new RangeError(`not a month: ${month}`);
  const [year, number] = month.split('-').map(Number) as [number, number];
  const length = new Date(Date.UTC(year, number, 0)).getUTCDate();
  return Array.from({ length }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}
