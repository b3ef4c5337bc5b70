import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';
import { createCatalogClient } from '$lib/api/catalog-client.ts';
import { pageError } from '$lib/api/page-error.ts';

// Underscore: SvelteKit allows only its own names or `_`-prefixed ones as +page.ts exports.
export const _pageSize = 24;

export const load: PageLoad = async ({ fetch, params }) => {
  const api = createCatalogClient(fetch);
  try {
    const [categories, page] = await Promise.all([
      api.categories(),
      api.series({ category: params.slug, limit: _pageSize }),
    ]);
    const category = categories.items.find((item) => item.slug === params.slug);
    if (!category) {
      error(404, {
        message: 'No such category',
        code: 'CATEGORY_NOT_FOUND',
        detail: `There is no category "${params.slug}"`,
      });
    }
    return { category, page };
  } catch (failure) {
    pageError(failure);
  }
};
