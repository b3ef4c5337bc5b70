import type { Locale } from '../i18n/locale.ts';

/**
 * When a comment, message or notification was written, as the apps show it: "now", "5 min ago",
 * "3 hr. ago", "2 days ago" within a week, then the date (with the year when it is not this
 * year's). Intl does the wording, so Chinese reads "5分钟前" without a table of our own. A time a
 * little in the future (another device's clock) reads as now rather than "in 3 seconds".
 */
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

export function relativeTime(at: string | number, now: number, locale: Locale): string {
  const time = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(time)) return '';
  const ago = now - time;
  const words = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  if (ago < minute) return words.format(0, 'second');
  if (ago < hour) return words.format(-Math.floor(ago / minute), 'minute');
  if (ago < day) return words.format(-Math.floor(ago / hour), 'hour');
  if (ago < 7 * day) return words.format(-Math.floor(ago / day), 'day');
  const date = new Date(time);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(locale, {
    month: 'short',
    day: 'numeric',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(date);
}

/** The full date and time, for a `<time>` element's title. */
export function absoluteTime(at: string | number, locale: Locale): string {
  const time = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(time)) return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(time);
}
