import type {
  Category,
  List,
  Page,
  PlaybackInfo,
  SeriesDetail,
  SeriesSummary,
} from '@binge/core/protocol/catalog';
import { ApiProblem, networkProblem, parseProblem } from './api-problem.ts';

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface SeriesQuery {
  category?: string;
  limit?: number;
  cursor?: string | null;
}

/**
 * Typed calls to the catalog API (`/api/v1`). The fetch comes in as an argument so a SvelteKit
 * load passes its own (which reuses the server-side answer during hydration) and a test passes one
 * bound to a real server. Every failure is thrown as an ApiProblem.
 */
export function createCatalogClient(fetchFn: Fetch) {
  async function get<T>(path: string): Promise<T> {
    let response: Response;
    try {
      response = await fetchFn(`/api/v1${path}`, { headers: { accept: 'application/json' } });
    } catch (error) {
      throw new ApiProblem(networkProblem(error));
    }
    const body = await response.text();
    if (!response.ok) throw new ApiProblem(parseProblem(response.status, body));
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new ApiProblem({
        type: 'about:blank',
        title: 'Unreadable answer from the API',
        status: 502,
        code: 'BAD_RESPONSE',
        detail: `GET /api/v1${path} did not return JSON`,
      });
    }
  }

  return {
    categories: () => get<List<Category>>('/categories'),
    series(query: SeriesQuery = {}) {
      const params = new URLSearchParams();
      if (query.category) params.set('category', query.category);
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      if (query.cursor) params.set('cursor', query.cursor);
      const search = params.toString();
      return get<Page<SeriesSummary>>(`/series${search ? `?${search}` : ''}`);
    },
    seriesDetail: (id: number) => get<SeriesDetail>(`/series/${encodeURIComponent(String(id))}`),
    playback: (episodeId: number) =>
      get<PlaybackInfo>(`/episodes/${encodeURIComponent(String(episodeId))}/playback`),
    hotList: () => get<List<SeriesSummary>>('/lists/hot'),
    newList: () => get<List<SeriesSummary>>('/lists/new'),
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
