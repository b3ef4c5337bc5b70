import { randomBytes } from 'node:crypto';
import type { Database } from '@binge/core/db';
import {
  categories,
  episodes,
  mediaAssets,
  renditions,
  series,
  seriesCounters,
  seriesTags,
  tags,
} from '@binge/core/db/schema';
import { eq } from 'drizzle-orm';

/**
 * Catalog rows inserted straight with drizzle, for tests and benchmarks. Each helper takes only
 * what a test cares about and fills the rest with plausible values.
 */
export async function insertCategory(
  db: Database,
  values: { slug: string; position?: number },
): Promise<number> {
  const [row] = await db
    .insert(categories)
    .values({
      slug: values.slug,
      nameEn: `Category ${values.slug}`,
      nameZh: `类别 ${values.slug}`,
      position: values.position ?? 0,
    })
    .returning({ id: categories.id });
  return row!.id;
}

export async function insertSeries(
  db: Database,
  values: {
    slug: string;
    categoryId: number;
    status?: 'draft' | 'published';
    publishedAt?: Date | null;
    freeEpisodes?: number;
    views?: number;
    likes?: number;
    tags?: string[];
  },
): Promise<number> {
  const status = values.status ?? 'published';
  const [row] = await db
    .insert(series)
    .values({
      slug: values.slug,
      titleEn: `Title ${values.slug}`,
      titleZh: `标题 ${values.slug}`,
      synopsisEn: `Synopsis of ${values.slug}`,
      synopsisZh: `${values.slug} 简介`,
      categoryId: values.categoryId,
      status,
      publishedAt:
        values.publishedAt !== undefined
          ? values.publishedAt
          : status === 'published'
            ? new Date()
            : null,
      freeEpisodes: values.freeEpisodes ?? 3,
    })
    .returning({ id: series.id });
  const id = row!.id;
  if (values.views !== undefined || values.likes !== undefined)
    await db
      .insert(seriesCounters)
      .values({ seriesId: id, views: values.views ?? 0, likes: values.likes ?? 0 });
  for (const slug of values.tags ?? []) {
    let [tag] = await db.select({ id: tags.id }).from(tags).where(eq(tags.slug, slug));
    if (!tag)
      [tag] = await db
        .insert(tags)
        .values({ slug, nameEn: `Tag ${slug}`, nameZh: `标签 ${slug}` })
        .returning({ id: tags.id });
    await db.insert(seriesTags).values({ seriesId: id, tagId: tag!.id });
  }
  return id;
}

export interface EpisodeFixture {
  episodeId: number;
  assetId: number | null;
  storagePrefix: string | null;
  aesKey: Buffer | null;
}

/**
 * An episode, and unless `status` says otherwise a ready published media asset with two
 * renditions, poster and sprite (rows only; write files with writeAssetFiles).
 */
export async function insertEpisode(
  db: Database,
  values: {
    seriesId: number;
    number: number;
    isFree?: boolean;
    priceCoins?: number;
    status?: 'pending' | 'processing' | 'ready' | 'failed';
    encrypted?: boolean;
    markers?: boolean;
  },
): Promise<EpisodeFixture> {
  const status = values.status ?? 'ready';
  const [episode] = await db
    .insert(episodes)
    .values({
      seriesId: values.seriesId,
      number: values.number,
      titleEn: `Episode ${values.number}`,
      titleZh: `第${values.number}集`,
      durationMs: 90_000,
      isFree: values.isFree ?? true,
      priceCoins: values.priceCoins ?? 0,
      status,
      ...(values.markers ? { introStartMs: 0, introEndMs: 5_000, outroStartMs: 85_000 } : {}),
      publishedAt: new Date(),
    })
    .returning({ id: episodes.id });
  const episodeId = episode!.id;
  if (status !== 'ready') return { episodeId, assetId: null, storagePrefix: null, aesKey: null };
  const asset = await insertAsset(db, { episodeId, encrypted: values.encrypted ?? false });
  await db.update(episodes).set({ mediaAssetId: asset.assetId }).where(eq(episodes.id, episodeId));
  return { episodeId, ...asset };
}

export async function insertAsset(
  db: Database,
  values: { episodeId: number; encrypted?: boolean; status?: 'processing' | 'ready' | 'failed' },
): Promise<{ assetId: number; storagePrefix: string; aesKey: Buffer | null }> {
  const encrypted = values.encrypted ?? false;
  const aesKey = encrypted ? randomBytes(16) : null;
  const [asset] = await db
    .insert(mediaAssets)
    .values({
      episodeId: values.episodeId,
      status: values.status ?? 'ready',
      sourceKey: `uploads/${values.episodeId}/source.mp4`,
      storagePrefix: 'pending',
      durationMs: 90_000,
      width: 720,
      height: 1280,
      encrypted,
      aesKey,
      readyAt: new Date(),
    })
    .returning({ id: mediaAssets.id });
  const assetId = asset!.id;
  const storagePrefix = `episodes/${values.episodeId}/${assetId}/`;
  await db
    .update(mediaAssets)
    .set({
      storagePrefix,
      masterKey: `${storagePrefix}master.m3u8`,
      posterKey: `${storagePrefix}poster.jpg`,
      spriteKey: `${storagePrefix}sprite.jpg`,
      spriteIndexKey: `${storagePrefix}sprite.vtt`,
    })
    .where(eq(mediaAssets.id, assetId));
  await db.insert(renditions).values([
    {
      assetId,
      name: '360p',
      width: 360,
      height: 640,
      bandwidth: 800_000,
      codecs: 'avc1.64001e,mp4a.40.2',
      playlistKey: `${storagePrefix}360p/index.m3u8`,
    },
    {
      assetId,
      name: '720p',
      width: 720,
      height: 1280,
      bandwidth: 2_800_000,
      codecs: 'avc1.64001f,mp4a.40.2',
      playlistKey: `${storagePrefix}720p/index.m3u8`,
    },
  ]);
  return { assetId, storagePrefix, aesKey };
}

export interface CatalogShape {
  categories: number;
  seriesPerCategory: number;
  episodesPerSeries: number;
}

/** A whole catalog for benchmarks: published series spread over time, counters, tags. */
export async function seedCatalog(db: Database, shape: CatalogShape) {
  const categorySlugs: string[] = [];
  const seriesIds: number[] = [];
  const episodeIds: number[] = [];
  const start = Date.now() - 30 * 24 * 3600 * 1000;
  let n = 0;
  for (let c = 0; c < shape.categories; c++) {
    const slug = `category-${c}`;
    categorySlugs.push(slug);
    const categoryId = await insertCategory(db, { slug, position: c });
    for (let s = 0; s < shape.seriesPerCategory; s++, n++) {
      const seriesId = await insertSeries(db, {
        slug: `series-${c}-${s}`,
        categoryId,
        publishedAt: new Date(start + n * 3_600_000),
        views: (n * 7919) % 10_000,
        likes: (n * 104_729) % 500,
        tags: [`tag-${n % 5}`],
      });
      seriesIds.push(seriesId);
      for (let e = 1; e <= shape.episodesPerSeries; e++) {
        const episode = await insertEpisode(db, {
          seriesId,
          number: e,
          isFree: true,
          markers: true,
        });
        episodeIds.push(episode.episodeId);
      }
    }
  }
  return { categorySlugs, seriesIds, episodeIds };
}
