import { eq } from 'drizzle-orm';
import type { Database } from './database.ts';
import { categories, episodes, mediaAssets, series, seriesCounters, users } from './schema.ts';

/**
 * Catalog and user rows straight through drizzle. Every call makes fresh rows (unique handles and
 * slugs), so each test owns its data inside the shared database.
 */
export function createTestSeeder(db: Database) {
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 8)}`;
  let categoryId: number | undefined;

  return {
    async user(
      displayName = 'Viewer',
      role: 'viewer' | 'creator' | 'admin' = 'viewer',
    ): Promise<number> {
      const [row] = await db
        .insert(users)
        .values({ handle: unique('user'), displayName, role })
        .returning({ id: users.id });
      return row!.id;
    },

    async series(
      values: {
        status?: 'draft' | 'published';
        publishedAt?: Date;
        views?: number;
        likes?: number;
        titles?: { zh: string; en: string };
      } = {},
    ): Promise<number> {
      if (categoryId === undefined) {
        const [category] = await db
          .insert(categories)
          .values({ slug: unique('category'), nameEn: 'Drama', nameZh: '剧情' })
          .returning({ id: categories.id });
        categoryId = category!.id;
      }
      const status = values.status ?? 'published';
      const [row] = await db
        .insert(series)
        .values({
          slug: unique('series'),
          titleEn: values.titles?.en ?? 'Title',
          titleZh: values.titles?.zh ?? '标题',
          synopsisEn: 'Synopsis',
          synopsisZh: '简介',
          categoryId,
          status,
          publishedAt: status === 'published' ? (values.publishedAt ?? new Date()) : null,
        })
        .returning({ id: series.id });
      if (values.views !== undefined || values.likes !== undefined)
        await db
          .insert(seriesCounters)
          .values({ seriesId: row!.id, views: values.views ?? 0, likes: values.likes ?? 0 });
      return row!.id;
    },

    /**
     * An episode; `playable` gives it a ready published asset with a master playlist (what the
     * playback endpoint serves), otherwise it stays `pending` without media.
     */
    async episode(seriesId: number, number = 1, playable = false): Promise<number> {
      const [row] = await db
        .insert(episodes)
        .values({
          seriesId,
          number,
          titleEn: `Episode ${number}`,
          titleZh: `第${number}集`,
          durationMs: 90_000,
          status: playable ? 'ready' : 'pending',
        })
        .returning({ id: episodes.id });
      const episodeId = row!.id;
      if (playable) {
        const prefix = `episodes/${episodeId}/a/`;
        const [asset] = await db
          .insert(mediaAssets)
          .values({
            episodeId,
            status: 'ready',
            sourceKey: `uploads/${episodeId}.mp4`,
            storagePrefix: prefix,
            masterKey: `${prefix}master.m3u8`,
          })
          .returning({ id: mediaAssets.id });
        await db
          .update(episodes)
          .set({ mediaAssetId: asset!.id })
          .where(eq(episodes.id, episodeId));
      }
      return episodeId;
    },

    /** A published series with one unplayable episode: a chat room and a danmu target. */
    async room(): Promise<{ seriesId: number; episodeId: number }> {
      const seriesId = await this.series();
      return { seriesId, episodeId: await this.episode(seriesId, 1) };
    },

    cmid: () => unique('cmid').replace(/[^A-Za-z0-9_-]/g, '_'),
  };
}

export type TestSeeder = ReturnType<typeof createTestSeeder>;
