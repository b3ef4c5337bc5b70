import type { PageRequest, Policy } from './policy.ts';
import { randomPolicy } from './random-policy.ts';

/**
 * An exploring feed: each slot of the inner policy's page goes, with probability epsilon, to a
 * random unseen item instead. The warm-up serves this so the logs hold both what the platform
 * believed in and what it had never tried, which the model needs to learn from.
 */
export function explorePolicy(inner: Policy, epsilon: number): Policy {
  if (!(epsilon >= 0 && epsilon <= 1))
    throw new RangeError(`epsilon must be in 0..1, got ${epsilon}`);
  const random = randomPolicy();
  return {
    name: `${inner.name} ε=${epsilon}`,
    page(request: PageRequest): number[] {
      const page = inner.page(request);
      const taken = new Set([...request.shown, ...page]);
      for (let slot = 0; slot < page.length; slot += 1) {
        if (request.random() >= epsilon) continue;
        const [item] = random.page({ ...request, shown: taken, size: 1 });
        if (item === undefined) break;
        taken.add(item);
        page[slot] = item;
      }
      return page;
    },
  };
}
