import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { hotScoreSql } from '@binge/core/catalog/hot-score';
import { isPublishedSeries as isPublished } from '@binge/core/catalog/published-series';
import type { Database } from '@binge/core/db';
import {
  categories,
  episodes,
  mediaAssets,
  series,
  seriesCounters,
  seriesTags,
  tags,
} from '@binge/core/db/schema';
import type { SeriesCursor } from './page-cursor.ts';

/** Columns of a series row; the episode figures come from the lateral `episodeStats` join. */
const seriesColumns = {
  id: series.id,
  slug: series.slug,
  titleEn: series.titleEn,
  titleZh: series.titleZh,
  synopsisEn: series.synopsisEn,
  synopsisZh: series.synopsisZh,
  freeEpisodes: series.freeEpisodes,
  publishedAt: series.publishedAt,
  /** publishedAt in PostgreSQL's text form, exact to the microsecond, for the page cursor. */
  position: sql<string>`${series.publishedAt}::text`,
  seriesPosterKey: series.posterKey,
  categoryId: categories.id,
  categorySlug: categories.slug,
  categoryNameEn: categories.nameEn,
  categoryNameZh: categories.nameZh,
  views: sql<number>`coalesce(${seriesCounters.views}, 0)`.mapWith(Number),
  likes: sql<number>`coalesce(${seriesCounters.likes}, 0)`.mapWith(Number),
};

export interface SeriesRow {
  id: number;
  slug: string;
  titleEn: string;
  titleZh: string;
  synopsisEn: string;
  synopsisZh: string;
  freeEpisodes: number;
  publishedAt: Date | null;
  position: string;
  seriesPosterKey: string | null;
  categoryId: number;
  categorySlug: string;
  categoryNameEn: string;
  categoryNameZh: string;
  views: number;
  likes: number;
  episodeCount: number;
  readyEpisodeCount: number;
  posterKey: string | null;
  posterScope: string | null;
}

export interface TagRow {
  seriesId: number;
  slug: string;
  nameEn: string;
  nameZh: string;
}

export interface EpisodeRow {
  id: number;
  number: number;
  titleEn: string;
  titleZh: string;
  durationMs: number;
  isFree: boolean;
  priceCoins: number;
  status: 'pending' | 'processing' | 'ready' | 'failed';
  posterKey: string | null;
  posterScope: string | null;
}

export interface PlaybackRow {
  id: number;
  seriesId: number;
  number: number;
  titleEn: string;
  titleZh: string;
  durationMs: number;
  isFree: boolean;
  priceCoins: number;
  status: 'pending' | 'processing' | 'ready' | 'failed';
  introStartMs: number | null;
  introEndMs: number | null;
  outroStartMs: number | null;
  assetId: number | null;
  assetStatus: 'processing' | 'ready' | 'failed' | null;
  storagePrefix: string | null;
  masterKey: string | null;
  posterKey: string | null;
  spriteKey: string | null;
  spriteIndexKey: string | null;
  encrypted: boolean | null;
}

export interface ContentKeyRow {
  assetId: number;
  episodeId: number | null;
  status: 'processing' | 'ready' | 'failed';
  encrypted: boolean;
  aesKey: Buffer | null;
}

/** Read side of the catalog. Every query here is parameterised; no input is spliced into SQL. */
export function createCatalogRepository(db: Database) {
  /**
   * One pass over a series' episodes yields its counts and the poster of its first ready episode
   * (and the asset prefix that poster's URL is signed for), where four correlated subqueries per
   * row cost a list page four index scans per series.
   */
  const ready = sql`${episodes.status} = 'ready' and ${mediaAssets.status} = 'ready' and ${mediaAssets.posterKey} is not null`;
  const episodeStats = db
    .select({
      episodeCount: sql<number>`count(*)`.mapWith(Number).as('episode_count'),
      readyEpisodeCount: sql<number>`count(*) filter (where ${episodes.status} = 'ready')`
        .mapWith(Number)
        .as('ready_episode_count'),
      posterKey: sql<
        string | null
      >`(array_agg(${mediaAssets.posterKey} order by ${episodes.number}) filter (where ${ready}))[1]`.as(
        'first_poster_key',
      ),
      posterScope: sql<
        string | null
      >`(array_agg(${mediaAssets.storagePrefix} order by ${episodes.number}) filter (where ${ready}))[1]`.as(
        'first_poster_scope',
      ),
    })
    .from(episodes)
    .leftJoin(mediaAssets, eq(mediaAssets.id, episodes.mediaAssetId))
    .where(eq(episodes.seriesId, series.id))
    .as('episode_stats');

  function seriesSelect() {
    return db
      .select({
        ...seriesColumns,
        episodeCount: sql<number>`coalesce(${episodeStats.episodeCount}, 0)`.mapWith(Number),
        readyEpisodeCount: sql<number>`coalesce(${episodeStats.readyEpisodeCount}, 0)`.mapWith(
          Number,
        ),
        posterKey: episodeStats.posterKey,
        posterScope: episodeStats.posterScope,
      })
      .from(series)
      .innerJoin(categories, eq(categories.id, series.categoryId))
      .leftJoin(seriesCounters, eq(seriesCounters.seriesId, series.id))
      .leftJoinLateral(episodeStats, sql`true`);
  }

  return {
    async listCategories() {
      return db
        .select({
          id: categories.id,
          slug: categories.slug,
          nameEn: categories.nameEn,
          nameZh: categories.nameZh,
          seriesCount:
            sql<number>`(select count(*) from series s where s.category_id = "categories"."id"
            and s.status = 'published' and s.published_at is not null)`.mapWith(Number),
        })
        .from(categories)
        .orderBy(asc(categories.position), asc(categories.id));
    },

    async findCategoryId(slug: string): Promise<number | null> {
      const rows = await db
        .select({ id: categories.id })
        .from(categories)
        .where(eq(categories.slug, slug))
        .limit(1);
      return rows[0]?.id ?? null;
    },

    /** Newest first, keyset-paginated on (publishedAt, id); returns up to `limit` rows. */
    async listSeries(options: {
      categoryId: number | null;
      after: SeriesCursor | null;
      limit: number;
    }): Promise<SeriesRow[]> {
      const conditions = [isPublished];
      if (options.categoryId !== null) conditions.push(eq(series.categoryId, options.categoryId));
      if (options.after !== null)
        conditions.push(
          sql`(${series.publishedAt}, ${series.id}) < (${options.after.publishedAt}::timestamptz, ${options.after.id})`,
        );
      return seriesSelect()
        .where(and(...conditions))
        .orderBy(desc(series.publishedAt), desc(series.id))
        .limit(options.limit);
    },

    async hotSeries(limit: number, now: Date): Promise<SeriesRow[]> {
      return seriesSelect()
        .where(isPublished)
        .orderBy(desc(hotScoreSql(now)), desc(series.id))
        .limit(limit);
    },

    /** Published series by id, in no particular order: the cards of a precomputed list. */
    async seriesByIds(ids: readonly number[]): Promise<SeriesRow[]> {
      if (ids.length === 0) return [];
      return seriesSelect().where(and(inArray(series.id, [...ids]), isPublished));
    },

    async findSeries(id: number): Promise<SeriesRow | null> {
      const rows = await seriesSelect()
        .where(and(eq(series.id, id), isPublished))
        .limit(1);
      return rows[0] ?? null;
    },

    async tagsOf(seriesIds: number[]): Promise<TagRow[]> {
      if (seriesIds.length === 0) return [];
      return db
        .select({
          seriesId: seriesTags.seriesId,
          slug: tags.slug,
          nameEn: tags.nameEn,
          nameZh: tags.nameZh,
        })
        .from(seriesTags)
        .innerJoin(tags, eq(tags.id, seriesTags.tagId))
        .where(inArray(seriesTags.seriesId, seriesIds))
        .orderBy(asc(tags.slug));
    },

    async episodesOf(seriesId: number): Promise<EpisodeRow[]> {
      return db
        .select({
          id: episodes.id,
          number: episodes.number,
          titleEn: episodes.titleEn,
          titleZh: episodes.titleZh,
          durationMs: episodes.durationMs,
          isFree: episodes.isFree,
          priceCoins: episodes.priceCoins,
          status: episodes.status,
          posterKey: mediaAssets.posterKey,
          posterScope: mediaAssets.storagePrefix,
        })
        .from(episodes)
        .leftJoin(
          mediaAssets,
          and(eq(mediaAssets.id, episodes.mediaAssetId), eq(mediaAssets.status, 'ready')),
        )
        .where(eq(episodes.seriesId, seriesId))
        .orderBy(asc(episodes.number));
    },

    /** The episode of a published series with its published asset, if any. */
    async findPlayback(episodeId: number): Promise<PlaybackRow | null> {
      const rows = await db
        .select({
          id: episodes.id,
          seriesId: episodes.seriesId,
          number: episodes.number,
          titleEn: episodes.titleEn,
          titleZh: episodes.titleZh,
          durationMs: episodes.durationMs,
          isFree: episodes.isFree,
          priceCoins: episodes.priceCoins,
          status: episodes.status,
          introStartMs: episodes.introStartMs,
          introEndMs: episodes.introEndMs,
          outroStartMs: episodes.outroStartMs,
          assetId: mediaAssets.id,
          assetStatus: mediaAssets.status,
          storagePrefix: mediaAssets.storagePrefix,
          masterKey: mediaAssets.masterKey,
          posterKey: mediaAssets.posterKey,
          spriteKey: mediaAssets.spriteKey,
          spriteIndexKey: mediaAssets.spriteIndexKey,
          encrypted: mediaAssets.encrypted,
        })
        .from(episodes)
        .innerJoin(series, eq(series.id, episodes.seriesId))
        .leftJoin(
          mediaAssets,
          and(eq(mediaAssets.id, episodes.mediaAssetId), eq(mediaAssets.episodeId, episodes.id)),
        )
        .where(and(eq(episodes.id, episodeId), isPublished))
        .limit(1);
      return rows[0] ?? null;
    },

    async nextEpisode(seriesId: number, afterNumber: number) {
      const rows = await db
        .select({ episodeId: episodes.id, number: episodes.number, isFree: episodes.isFree })
        .from(episodes)
        .where(and(eq(episodes.seriesId, seriesId), gt(episodes.number, afterNumber)))
        .orderBy(asc(episodes.number))
        .limit(1);
      return rows[0] ?? null;
    },

    async findContentKey(assetId: number): Promise<ContentKeyRow | null> {
      const rows = await db
        .select({
          assetId: mediaAssets.id,
          episodeId: mediaAssets.episodeId,
          status: mediaAssets.status,
          encrypted: mediaAssets.encrypted,
          aesKey: mediaAssets.aesKey,
        })
        .from(mediaAssets)
        .where(eq(mediaAssets.id, assetId))
        .limit(1);
      return rows[0] ?? null;
    },
  };
}

export type CatalogRepository = ReturnType<typeof createCatalogRepository>;
