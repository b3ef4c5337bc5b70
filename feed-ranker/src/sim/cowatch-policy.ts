import type { PageRequest, Policy } from './policy.ts';

/**
 * Item-to-item co-watch: neighbours of the items this viewer watched long, in earlier sessions
 * and this one, by cosine similarity of long-watch co-occurrence in the logged history; popular
 * items fill the page when the viewer has too few neighbours (cold start).
 */
export function cowatchPolicy(): Policy {
  return {
    name: 'co-watch',
    page({ viewer, observations, shown, size }: PageRequest): number[] {
      const ranked = [...observations.neighbours(viewer)]
        .filter(([item]) => !shown.has(item))
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, size)
        .map(([item]) => item);
      if (ranked.length < size)
        ranked.push(...observations.popular(size - ranked.length, shown, new Set(ranked)));
      return ranked;
    },
  };
}
