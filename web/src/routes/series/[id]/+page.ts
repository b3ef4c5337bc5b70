import type { PageLoad } from './$types';
import { createCatalogClient } from '$lib/api/catalog-client.ts';
import { idParam, pageError } from '$lib/api/page-error.ts';

export const load: PageLoad = async ({ fetch, params, depends }) => {
  depends('binge:series');
  const id = idParam(params.id, 'SERIES_NOT_FOUND', 'series');
  try {
    return { series: await createCatalogClient(fetch).seriesDetail(id) };
  } catch (failure) {
    pageError(failure);
  }
};
