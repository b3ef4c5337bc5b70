import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** The ranking boards as a client reads them: `await rankings.board('hot', 'category=drama')`. */
export interface RankingsClient {
  board(board: string, query?: string): Promise<LightMyRequestResponse>;
}

export function rankingsClient(app: FastifyInstance): RankingsClient {
  return {
    board: (board, query) =>
      app.inject({ url: `/api/v1/rankings/${board}${query === undefined ? '' : `?${query}`}` }),
  };
}
