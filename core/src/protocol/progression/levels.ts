/**
 * The level curve: experience (users.xp) to a level of 0 to 6 and the progress towards the next.
 * Pure and browser-safe, so the web client draws the same bar the API reports.
 *
 * The thresholds are Bilibili's (LV1 at 1 xp, LV6 at 28 800), which viewers of the genre know: a
 * daily viewer who checks in, watches and sends a few danmu (about 40 xp a day) reaches LV2 in a
 * week, LV4 in about four months and LV6 in about two years.
 */
export const levelThresholds = [0, 1, 200, 1_500, 4_500, 10_800, 28_800] as const;

export const maxLevel = levelThresholds.length - 1;

export interface LevelProgress {
  /** 0 to {@link maxLevel}. */
  level: number;
  xp: number;
  /** Experience the current level starts at. */
  levelXp: number;
  /** Experience the next level starts at; null at the top level. */
  nextLevelXp: number | null;
  /** Share of the way from this level to the next, 0 to 1 (1 at the top level). */
  progress: number;
}

/** The level of `xp` experience; negative, fractional or non-finite values count as 0. */
export function levelOf(xp: number): LevelProgress {
  const points = Number.isFinite(xp) && xp > 0 ? Math.floor(xp) : 0;
  let level = 0;
  while (level < maxLevel && points >= levelThresholds[level + 1]!) level += 1;
  const levelXp = levelThresholds[level]!;
  const nextLevelXp = level < maxLevel ? levelThresholds[level + 1]! : null;
  const progress = nextLevelXp === null ? 1 : (points - levelXp) / (nextLevelXp - levelXp);
  return { level, xp: points, levelXp, nextLevelXp, progress };
}
