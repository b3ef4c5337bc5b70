/**
 * Hot-list score with time decay, in the style of Hacker News: engagement over age to the power
 * 1.5, so a fresh series with some traction outranks an old one with more. Likes weigh five views;
 * the +1 keeps new, untouched series ordered by age and the +2 hours tempers the first hours.
 * catalog-repository.ts computes the same expression in SQL (hotScoreSql); the test pins both.
 */
export const HOT_LIKE_WEIGHT = 5;
export const HOT_AGE_OFFSET_HOURS = 2;
export const HOT_GRAVITY = 1.5;

export function hotScore(views: number, likes: number, ageHours: number): number {
  const age = Math.max(0, ageHours);
  return (views + HOT_LIKE_WEIGHT * likes + 1) / (age + HOT_AGE_OFFSET_HOURS) ** HOT_GRAVITY;
}
