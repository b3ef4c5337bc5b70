import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../errors/app-error.ts';
import { decimalQuery } from '../http/decimal-query.ts';
import { parseEntityId } from '../http/entity-id.ts';
import type { MediaUrlSigner } from '../media/media-url.ts';
import type { CatalogRepository, SeriesRow } from './catalog-repository.ts';
import {
  CategorySchema,
  IdString,
  LimitQuery,
  ListSchema,
  PageSchema,
  SeriesDetailSchema,
  SeriesSummarySchema,
  problemResponse,
} from './catalog-schemas.ts';
import type { CursorCodec } from './page-cursor.ts';
import { groupTags, toEpisodeSummary, toSeriesSummary } from './series-view.ts';

export interface CatalogRoutesOptions {
  catalog: CatalogRepository;
  cursors: CursorCodec;
  signer: MediaUrlSigner;
  now?: () => Date;
}

const badQuery = problemResponse('VALIDATION_FAILED', 'PAGE_SIZE_OUT_OF_RANGE', 'INVALID_CURSOR');

/** Browsing routes under /api/v1: categories, series pages, series detail, hot and new lists. */
export async function catalogRoutes(app: FastifyInstance, options: CatalogRoutesOptions) {
  const { catalog, cursors, signer } = options;
  const now = options.now ?? (() => new Date());
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('preValidation', decimalQuery('limit'));

  async function summaries(rows: SeriesRow[]) {
    const tags = groupTags(await catalog.tagsOf(rows.map((row) => row.id)));
    const exp = signer.expiry();
    return rows.map((row) => toSeriesSummary(row, tags.get(row.id) ?? [], signer, exp));
  }

  typed.get(
    '/categories',
    {
      schema: {
        summary: 'Categories with their published series counts, in display order',
        tags: ['catalog'],
        response: { 200: ListSchema(CategorySchema) },
      },
    },
    async () => {
      const rows = await catalog.listCategories();
      return {
        items: rows.map((row) => ({
          id: row.id,
          slug: row.slug,
          name: { en: row.nameEn, zh: row.nameZh },
          seriesCount: row.seriesCount,
        })),
      };
    },
  );

  typed.get(
    '/series',
    {
      schema: {
        summary: 'Published series, newest first, keyset-paginated',
        tags: ['catalog'],
        querystring: Type.Object({
          category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          limit: Type.Optional(LimitQuery),
          cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
        }),
        response: {
          200: PageSchema(SeriesSummarySchema),
          400: badQuery,
          404: problemResponse('CATEGORY_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const { category, limit = 20, cursor } = request.query;
      const after = cursor === undefined ? null : cursors.decode(cursor);
      let categoryId: number | null = null;
      if (category !== undefined) {
        categoryId = await catalog.findCategoryId(category);
        if (categoryId === null)
          throw new AppError('CATEGORY_NOT_FOUND', `No category with slug "${category}"`);
      }
      // One row more than asked tells whether a next page exists without a count query.
      const rows = await catalog.listSeries({ categoryId, after, limit: limit + 1 });
      const hasMore = rows.length > limit;
      const page = hasMore ? rows.slice(0, limit) : rows;
      const last = page[page.length - 1];
      return {
        items: await summaries(page),
        nextCursor:
          hasMore && last ? cursors.encode({ publishedAt: last.position, id: last.id }) : null,
      };
    },
  );

  typed.get(
    '/series/:id',
    {
      schema: {
        summary: 'A published series with its episodes in order',
        tags: ['catalog'],
        params: Type.Object({ id: IdString }),
        response: {
          200: SeriesDetailSchema,
          400: problemResponse('INVALID_ID'),
          404: problemResponse('SERIES_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const id = parseEntityId(request.params.id);
      const row = await catalog.findSeries(id);
      if (row === null) throw new AppError('SERIES_NOT_FOUND', `Series ${id} does not exist`);
      const [summary] = await summaries([row]);
      const exp = signer.expiry();
      const episodes = (await catalog.episodesOf(id)).map((episode) =>
        toEpisodeSummary(episode, signer, exp),
      );
      return { ...summary!, episodes };
    },
  );

  const listQuery = Type.Object({ limit: Type.Optional(LimitQuery) });

  typed.get(
    '/lists/hot',
    {
      schema: {
        summary: 'Hot series: engagement decayed by age (views + 5·likes + 1) / (hours + 2)^1.5',
        tags: ['catalog'],
        querystring: listQuery,
        response: { 200: ListSchema(SeriesSummarySchema), 400: badQuery },
      },
    },
    async (request) => ({
      items: await summaries(await catalog.hotSeries(request.query.limit ?? 20, now())),
    }),
  );

  typed.get(
    '/lists/new',
    {
      schema: {
        summary: 'Newest published series',
        tags: ['catalog'],
        querystring: listQuery,
        response: { 200: ListSchema(SeriesSummarySchema), 400: badQuery },
      },
    },
    async (request) => ({
      items: await summaries(
        await catalog.listSeries({
          categoryId: null,
          after: null,
          limit: request.query.limit ?? 20,
        }),
      ),
    }),
  );
}
