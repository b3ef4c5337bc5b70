import type { PageRequest, Policy } from './policy.ts';

/** The most long-watched items of the logged history that this viewer has not been shown. */
export function popularityPolicy(): Policy {
  return {
    name: 'popularity',
    page: ({ observations, shown, size }: PageRequest) => observations.popular(size, shown),
  };
}
