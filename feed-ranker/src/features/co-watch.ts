/**
 * Item-to-item co-watch between series (the `co_watch` table): when a viewer starts series B
 * while their recent series are A1 (most recent) … An, the pairs (Ai, B) and (B, Ai) gain
 * weight. The gain of one transition is 1 in total, shared among the Ai by recency (each step back
 * is worth COWATCH_RANK_DECAY of the one before), so a heavy viewer with a long history adds no
 * more per start than a light one, and the series just left counts most. Stored weights decay
 * with a half-life of COWATCH_HALF_LIFE_DAYS: each write first decays the stored weight from its
 * `updated_at` to the new event's time, and readers decay from `updated_at` to now.
 */

/** How many of the viewer's recent series a start pairs with. */
export const COWATCH_RECENT = 10;
/** Weight of each step back in the recent list relative to the one before it. */
export const COWATCH_RANK_DECAY = 0.7;
export const COWATCH_HALF_LIFE_DAYS = 30;
export const COWATCH_HALF_LIFE_MS = COWATCH_HALF_LIFE_DAYS * 24 * 3_600_000;

export interface CoWatchGain {
  seriesId: number;
  otherId: number;
  weight: number;
}

/**
 * The gains of a start of `seriesId` by a viewer whose recent series (most recent first) are
 * `recent`. None when the viewer is already on this series (the next episode of a binge is not a
 * new transition), and never a pair of a series with itself.
 */
export function coWatchGains(recent: readonly number[], seriesId: number): CoWatchGain[] {
  if (recent[0] === seriesId) return [];
  const others = recent.filter((id) => id !== seriesId).slice(0, COWATCH_RECENT);
  if (others.length === 0) return [];
  let total = 0;
  for (let i = 0; i < others.length; i += 1) total += COWATCH_RANK_DECAY ** i;
  const gains: CoWatchGain[] = [];
  others.forEach((other, i) => {
    const weight = COWATCH_RANK_DECAY ** i / total;
    gains.push({ seriesId: other, otherId: seriesId, weight });
    gains.push({ seriesId, otherId: other, weight });
  });
  return gains;
}

/** The factor a stored weight has decayed by `ageMs` after its last update. */
export function coWatchDecay(ageMs: number): number {
  return 0.5 ** (Math.max(0, ageMs) / COWATCH_HALF_LIFE_MS);
}
