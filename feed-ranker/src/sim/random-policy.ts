import type { PageRequest, Policy } from './policy.ts';

/** Uniformly random unseen items of the catalog: the floor every policy should clear. */
export function randomPolicy(): Policy {
  return {
    name: 'random',
    page({ observations, shown, size, random }: PageRequest): number[] {
      const n = observations.catalog.size;
      const out: number[] = [];
      const picked = new Set<number>();
      // Rejection sampling: a viewer has seen a few hundred items of thousands at most.
      for (let tries = 0; out.length < size && tries < size * 50; tries += 1) {
        const item = Math.min(n - 1, Math.floor(random() * n));
        if (shown.has(item) || picked.has(item)) continue;
        picked.add(item);
        out.push(item);
      }
      if (out.length < size)
        for (let item = 0; item < n && out.length < size; item += 1)
          if (!shown.has(item) && !picked.has(item)) {
            picked.add(item);
            out.push(item);
          }
      return out;
    },
  };
}
