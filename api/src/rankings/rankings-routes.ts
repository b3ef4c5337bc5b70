import type { FastifyInstance, preValidationAsyncHookHandler } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { rankingBoards, type RankedSeries, type RankingBoard } from '@binge/core/protocol/rankings';
import type { RankingRefresher } from '@binge/core/rankings/refresher';
import { ALL_CATEGORIES, BOARD_DEPTH, type RankingStore } from '@binge/core/rankings/store';
import type { CatalogRepository } from '../catalog/catalog-repository.ts';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import { groupTags, toSeriesSummary } from '../catalog/series-view.ts';
import { AppError } from '../errors/app-error.ts';
import { decimalQuery } from '../http/decimal-query.ts';
import type { MediaUrlSigner } from '../media/media-url.ts';
import { createBoardCache } from './board-cache.ts';
import { BoardParam, RankingPageSchema, RankingQuery } from './rankings-schemas.ts';

export interface RankingsRoutesOptions {
  store: RankingStore;
  /** This process's refresher: its refreshes empty the cache at once instead of at expiry. */
  refresher: RankingRefresher;
  catalog: CatalogRepository;
  signer: MediaUrlSigner;
  /** How long a board (and a category slug) is served from memory; 5 s unless set. */
  cacheTtlMs?: number;
}

interface CachedBoard {
  computedAt: string | null;
  items: RankedSeries[];
}

/**
 * The route schema lists the boards for OpenAPI; this hook answers an unknown one with
 * VALIDATION_FAILED before validation would call it a malformed id (INVALID_ID is what the error
 * handler makes of every params failure, for the id parameters of other routes).
 */
const knownBoard: preValidationAsyncHookHandler = async (request) => {
  const { board } = request.params as { board?: unknown };
  if (typeof board !== 'string' || !(rankingBoards as readonly string[]).includes(board))
    throw new AppError(
      'VALIDATION_FAILED',
      `params/board must be one of ${rankingBoards.join(', ')}`,
    );
};

/**
 * The ranking boards under /api/v1. A board is read whole (BOARD_DEPTH cards) through an
 * in-process cache: a request is a cache hit, or on a miss one primary-key range read of
 * series_rankings plus the cards' catalog rows and tags, shared by every request missing at once.
 */
export async function rankingsRoutes(app: FastifyInstance, options: RankingsRoutesOptions) {
  const { store, refresher, catalog, signer } = options;
  const ttlMs = options.cacheTtlMs ?? 5_000;
  const boards = createBoardCache<CachedBoard>({ ttlMs });
  const categories = createBoardCache<number>({ ttlMs });
  const unsubscribe = refresher.onRefreshed(() => boards.clear());
  app.addHook('onClose', async () => unsubscribe());
  app.addHook('preValidation', decimalQuery('limit'));
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  async function loadBoard(board: RankingBoard, categoryId: number): Promise<CachedBoard> {
    const snapshot = await store.read(board, categoryId, BOARD_DEPTH);
    const rows = await catalog.seriesByIds(snapshot.entries.map((entry) => entry.seriesId));
    const byId = new Map(rows.map((row) => [row.id, row]));
    const tags = groupTags(await catalog.tagsOf(rows.map((row) => row.id)));
    const exp = signer.expiry();
    return {
      computedAt: snapshot.computedAt?.toISOString() ?? null,
      // A series unpublished since the refresh drops out; the others keep their ranks.
      items: snapshot.entries.flatMap((entry) => {
        const row = byId.get(entry.seriesId);
        if (row === undefined) return [];
        const card = toSeriesSummary(row, tags.get(row.id) ?? [], signer, exp);
        return [{ ...card, rank: entry.rank, score: entry.score }];
      }),
    };
  }

  async function categoryIdOf(slug: string): Promise<number> {
    return categories.get(slug, async () => {
      const id = await catalog.findCategoryId(slug);
      if (id === null) throw new AppError('CATEGORY_NOT_FOUND', `No category with slug "${slug}"`);
      return id;
    });
  }

  typed.get(
    '/rankings/:board',
    {
      preValidation: knownBoard,
      schema: {
        summary: 'A ranking board: hot, new or rating, overall or for one category',
        description:
          'Precomputed every RANKINGS_REFRESH_SECONDS (30 s) and never older than about a minute; ' +
          '`computedAt` says when. hot: Σ weight·count·2^(−age/24 h) over the hourly engagement of ' +
          'the last 7 days (views 1, likes 3, favourites 4, comments 4, follow-ups 5, shares 6; ' +
          'age from the middle of each hour), series without engagement after, newest first. ' +
          'new: unix seconds of publication, newest first. rating: (5·m + sum of ratings) / ' +
          '(5 + reviews), m the mean rating of the catalog; series with at least one review. ' +
          `Up to ${BOARD_DEPTH} series per board; cards as in the catalog lists, with rank and score.`,
        tags: ['rankings'],
        params: Type.Object({ board: BoardParam }),
        querystring: RankingQuery,
        response: {
          200: RankingPageSchema,
          400: problemResponse('VALIDATION_FAILED', 'PAGE_SIZE_OUT_OF_RANGE'),
          404: problemResponse('CATEGORY_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const { board } = request.params;
      const { category, limit = 20 } = request.query;
      const categoryId = category === undefined ? ALL_CATEGORIES : await categoryIdOf(category);
      const page = await boards.get(`${board}:${categoryId}`, () => loadBoard(board, categoryId));
      return {
        board,
        category: category ?? null,
        computedAt: page.computedAt,
        items: page.items.slice(0, limit),
      };
    },
  );
}
