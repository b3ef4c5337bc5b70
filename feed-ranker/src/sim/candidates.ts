import type { PageRequest } from './policy.ts';

/**
 * Candidate generation for the model policy, as the platform does it (issue 5, item 3): the hot
 * list, co-watch neighbours of recent long watches, items of the viewer's best tags (category
 * affinity) and a random sample (fresh or unexplored items). The model ranks their union.
 */
export const CANDIDATE_LIMITS = { popular: 150, cowatch: 100, perTag: 50, tags: 3, random: 100 };

export function gatherCandidates(
  { viewer, observations, shown, random }: PageRequest,
  limits = CANDIDATE_LIMITS,
): number[] {
  const picked = new Set<number>();
  const add = (item: number): void => {
    if (!shown.has(item)) picked.add(item);
  };
  for (const item of observations.popular(limits.popular, shown)) add(item);
  [...observations.neighbours(viewer)]
    .filter(([item]) => !shown.has(item))
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, limits.cowatch)
    .forEach(([item]) => add(item));
  const { catalog } = observations;
  for (const tag of observations.topTags(viewer, limits.tags)) {
    const items = catalog.itemsByTag[tag]!;
    // A random window of the tag's items: every item of the tag gets its turn over the pages.
    const start = Math.floor(random() * items.length);
    for (let k = 0; k < Math.min(items.length, limits.perTag); k += 1)
      add(items[(start + k) % items.length]!);
  }
  for (let k = 0; k < limits.random; k += 1) add(Math.floor(random() * catalog.size));
  return [...picked];
}
