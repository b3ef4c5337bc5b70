/**
 * Where experience comes from: each award has a key (xp_awards' primary key with the user), so
 * recording the same thing twice, or in two processes, grants it once. Daily caps are part of the
 * key (`danmu:2026-11-23:7` is the 7th danmu of the day and there is no 11th), so a flood of
 * danmu or comments earns no more than a normal day of them. Pure: the SQL that grants them is in
 * store-sql.ts.
 */

export interface XpAward {
  key: string;
  amount: number;
}

export const xpRules = {
  checkIn: 5,
  /** Per 5 minutes watched in a day, up to an hour. */
  watchStep: { seconds: 300, amount: 2, maxSeconds: 3_600 },
  /** Each episode finished, once per episode ever. */
  completion: 1,
  danmu: { amount: 1, perDay: 10 },
  comment: { amount: 2, perDay: 5 },
  followUp: 2,
  share: 5,
} as const;

/** The key that records an episode's completion (also what completed-episode counts read). */
export const completionKeyPrefix = 'complete:';

export function completionAward(episodeId: number): XpAward {
  return { key: `${completionKeyPrefix}${episodeId}`, amount: xpRules.completion };
}

/** The watch-time steps a day's seconds crossed going from `before` to `after`. */
export function watchAwards(day: string, before: number, after: number): XpAward[] {
  const { seconds, amount, maxSeconds } = xpRules.watchStep;
  const awards: XpAward[] = [];
  const from = Math.floor(Math.max(before, 0) / seconds) + 1;
  const to = Math.floor(Math.min(after, maxSeconds) / seconds);
  for (let step = from; step <= to; step += 1)
    awards.push({ key: `watch:${day}:${(step * seconds) / 60}`, amount });
  return awards;
}

/** The award of the `nth` danmu or comment of a day, inside the daily cap. */
export function nthOfDayAward(kind: 'danmu' | 'comment', day: string, nth: number): XpAward[] {
  const rule = xpRules[kind];
  if (!Number.isInteger(nth) || nth < 1 || nth > rule.perDay) return [];
  return [{ key: `${kind}:${day}:${nth}`, amount: rule.amount }];
}

export function onceADayAward(kind: 'check-in' | 'follow-up' | 'share', day: string): XpAward {
  const amount =
    kind === 'check-in' ? xpRules.checkIn : kind === 'share' ? xpRules.share : xpRules.followUp;
  return { key: `${kind}:${day}`, amount };
}

export function achievementAward(code: string, amount: number): XpAward {
  return { key: `achievement:${code}`, amount };
}
