/**
 * Which episode each pooled video element should hold. `wanted` is in priority order (the current
 * episode, then the next, the one after, the previous); `held` is what each slot holds now. A slot
 * keeps an episode that is still wanted (its buffer is the point of the pool), and the slots that
 * are free or hold something no longer wanted take the missing episodes, highest priority first.
 * Pure, so the feed's swipes can be checked without a browser.
 */
export function planSlots(
  wanted: readonly number[],
  held: readonly (number | null)[],
): (number | null)[] {
  const keep = new Set(wanted.slice(0, held.length));
  const plan = held.map((episode) => (episode !== null && keep.has(episode) ? episode : null));
  const placed = new Set(plan.filter((episode): episode is number => episode !== null));
  const missing = [...keep].filter((episode) => !placed.has(episode));
  for (let slot = 0; slot < plan.length && missing.length > 0; slot++) {
    if (plan[slot] === null) plan[slot] = missing.shift()!;
  }
  return plan;
}

/**
 * The episodes a feed wants warm around position `index`: current first, then up to `ahead`
 * following ones, then the previous (a swipe back is rarer than a swipe on).
 */
export function wantedAround(episodes: readonly number[], index: number, ahead = 2): number[] {
  const wanted: number[] = [];
  const push = (position: number) => {
    const episode = episodes[position];
    if (episode !== undefined && !wanted.includes(episode)) wanted.push(episode);
  };
  push(index);
  for (let step = 1; step <= ahead; step++) push(index + step);
  push(index - 1);
  return wanted;
}
