import { sql } from 'drizzle-orm';
import type { Config } from '@binge/core/config';
import type { Database } from '@binge/core/db';
import { categories, episodes, series, seriesTags, tags } from '@binge/core/db/schema';
import type { Logger } from '@binge/core/log';
import type { Queue } from '@binge/core/queue';
import type { Storage } from '@binge/core/storage';
import {
  demoCatalog,
  demoCategories,
  demoSourceKey,
  demoTags,
  type DemoSeries,
} from './demo-catalog.ts';
import {
  demoSourceJobId,
  demoSourceJobName,
  demoTranscodeJobId,
  transcodeJobName,
  type DemoSourceJobData,
} from './demo-source-job.ts';

export interface SeedDemoCatalogDeps {
  db: Database;
  storage: Storage;
  queue: Queue;
  logger: Logger;
  config?: Pick<Config, 'demoSeed'>;
  /** The series to seed; the full demo catalog by default (tests pass a small one). */
  catalog?: readonly DemoSeries[];
}

/**
 * Writes the demo catalog (upsert by slug, and by series + number for episodes) and queues work
 * for every episode not yet ready: a transcode when its source is already in storage, else a
 * demo-source job that renders it first. Job ids are deterministic, so a second start finds the
 * same rows and the same jobs, and retries those that failed. Episode 1 of every series is queued
 * first, then episode 2, and so on, so every series becomes browsable early.
 */
export async function seedDemoCatalog(deps: SeedDemoCatalogDeps): Promise<void> {
  const { db, queue, storage, logger } = deps;
  if (deps.config && !deps.config.demoSeed) return;
  const catalog = deps.catalog ?? demoCatalog;
  const usedCategories = new Set(catalog.map((s) => s.category));
  const usedTags = new Set(catalog.flatMap((s) => s.tags));

  const work = await db.transaction(async (tx) => {
    const categoryRows = await tx
      .insert(categories)
      .values(
        demoCategories
          .filter((c) => usedCategories.has(c.slug))
          .map((c) => ({ slug: c.slug, nameEn: c.en, nameZh: c.zh, position: c.position })),
      )
      .onConflictDoUpdate({
        target: categories.slug,
        set: {
          nameEn: sql`excluded.name_en`,
          nameZh: sql`excluded.name_zh`,
          position: sql`excluded.position`,
        },
      })
      .returning({ id: categories.id, slug: categories.slug });
    const categoryId = new Map(categoryRows.map((r) => [r.slug, r.id]));
    const tagRows = usedTags.size
      ? await tx
          .insert(tags)
          .values(
            demoTags
              .filter((t) => usedTags.has(t.slug))
              .map((t) => ({ slug: t.slug, nameEn: t.en, nameZh: t.zh })),
          )
          .onConflictDoUpdate({
            target: tags.slug,
            set: { nameEn: sql`excluded.name_en`, nameZh: sql`excluded.name_zh` },
          })
          .returning({ id: tags.id, slug: tags.slug })
      : [];
    const tagId = new Map(tagRows.map((r) => [r.slug, r.id]));

    const pending: { series: DemoSeries; number: number; episodeId: number }[] = [];
    let episodeCount = 0;
    for (const demo of catalog) {
      const category = categoryId.get(demo.category);
      if (category === undefined)
        throw new Error(`demo series ${demo.slug} names unknown category ${demo.category}`);
      const [row] = await tx
        .insert(series)
        .values({
          slug: demo.slug,
          titleEn: demo.title.en,
          titleZh: demo.title.zh,
          synopsisEn: demo.synopsis.en,
          synopsisZh: demo.synopsis.zh,
          categoryId: category,
          freeEpisodes: demo.freeEpisodes,
          seriesPriceCoins: demo.seriesPriceCoins,
        })
        .onConflictDoUpdate({
          target: series.slug,
          set: {
            titleEn: sql`excluded.title_en`,
            titleZh: sql`excluded.title_zh`,
            synopsisEn: sql`excluded.synopsis_en`,
            synopsisZh: sql`excluded.synopsis_zh`,
            categoryId: sql`excluded.category_id`,
            freeEpisodes: sql`excluded.free_episodes`,
            seriesPriceCoins: sql`excluded.series_price_coins`,
          },
        })
        .returning({ id: series.id });
      const seriesId = row!.id;
      const wanted = demo.tags
        .map((slug) => tagId.get(slug))
        .filter((id): id is number => id !== undefined);
      if (wanted.length)
        await tx
          .insert(seriesTags)
          .values(wanted.map((id) => ({ seriesId, tagId: id })))
          .onConflictDoNothing();

      const episodeRows = await tx
        .insert(episodes)
        .values(
          demo.episodes.map((e) => ({
            seriesId,
            number: e.number,
            titleEn: e.title.en,
            titleZh: e.title.zh,
            durationMs: e.durationSeconds * 1000,
            isFree: e.isFree,
            priceCoins: e.priceCoins,
            introStartMs: e.introStartMs,
            introEndMs: e.introEndMs,
            outroStartMs: e.outroStartMs,
          })),
        )
        .onConflictDoUpdate({
          target: [episodes.seriesId, episodes.number],
          set: {
            titleEn: sql`excluded.title_en`,
            titleZh: sql`excluded.title_zh`,
            isFree: sql`excluded.is_free`,
            priceCoins: sql`excluded.price_coins`,
            introStartMs: sql`excluded.intro_start_ms`,
            introEndMs: sql`excluded.intro_end_ms`,
            outroStartMs: sql`excluded.outro_start_ms`,
          },
        })
        .returning({ id: episodes.id, number: episodes.number, status: episodes.status });
      episodeCount += episodeRows.length;
      for (const e of episodeRows)
        if (e.status !== 'ready') pending.push({ series: demo, number: e.number, episodeId: e.id });
    }
    return { pending, episodeCount };
  });

  // Round-robin by episode number; a stable sort keeps the catalog's series order within a round.
  const ordered = [...work.pending].sort((a, b) => a.number - b.number);
  let enqueued = 0;
  let retried = 0;
  for (const item of ordered) {
    const sourceKey = demoSourceKey(item.series.slug, item.number);
    let jobId: string;
    if ((await storage.stat(sourceKey)) !== null) {
      jobId = demoTranscodeJobId(item.episodeId);
      await queue.add(transcodeJobName, { episodeId: item.episodeId, sourceKey }, { jobId });
    } else {
      const data: DemoSourceJobData = {
        episodeId: item.episodeId,
        seriesSlug: item.series.slug,
        number: item.number,
      };
      jobId = demoSourceJobId(item.series.slug, item.number);
      await queue.add(demoSourceJobName, data, { jobId });
    }
    // A failed job keeps its id, so add() deduplicated to it and left it failed; a restart is
    // where the demo gets another chance, so run it again.
    const job = await queue.getJob(jobId);
    if (job?.state === 'failed' && (await queue.retry(jobId))) {
      logger.info(
        { jobId, episodeId: item.episodeId, failedReason: job.failedReason },
        'retrying a failed demo job',
      );
      retried++;
    }
    enqueued++;
  }
  logger.info(
    { series: catalog.length, episodes: work.episodeCount, enqueued, retried },
    'demo catalog seeded',
  );
}
