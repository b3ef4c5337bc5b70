import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** GET /api/v1/feed as a client reads it: `await feed.page({ limit: 5, cursor })`. */
export interface FeedApiClient {
  page(
    query?: { cursor?: string; limit?: number | string },
    headers?: { authorization: string },
  ): Promise<LightMyRequestResponse>;
}

export function feedApiClient(app: FastifyInstance): FeedApiClient {
  return {
    page: (query = {}, headers) => {
      const params = new URLSearchParams();
      if (query.cursor !== undefined) params.set('cursor', query.cursor);
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      const search = params.size > 0 ? `?${params.toString()}` : '';
      return app.inject({ url: `/api/v1/feed${search}`, ...(headers ? { headers } : {}) });
    },
  };
}
