import type { Category, SeriesSummary } from '@binge/core/protocol/catalog';
import type { PageLoad } from './$types';
import { createCatalogClient } from '$lib/api/catalog-client.ts';
import { ApiProblem } from '$lib/api/api-problem.ts';

/** One home-page section: its data, or the problem that kept it away (the other rows still show). */
export type Section<T> =
  { ok: true; value: T } | { ok: false; title: string; code: string; detail?: string };

async function section<T>(promise: Promise<T>): Promise<Section<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (failure) {
    if (!(failure instanceof ApiProblem)) throw failure;
    const { title, code, detail } = failure.problem;
    return { ok: false, title, code, ...(detail ? { detail } : {}) };
  }
}

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('binge:home');
  const api = createCatalogClient(fetch);
  const [hot, fresh, categories] = await Promise.all([
    section<SeriesSummary[]>(api.hotList().then((list) => list.items)),
    section<SeriesSummary[]>(api.newList().then((list) => list.items)),
    section<Category[]>(api.categories().then((list) => list.items)),
  ]);
  return { hot, fresh, categories };
};
