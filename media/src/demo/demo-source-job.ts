import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '@binge/core/log';
import type { JobContext, TranscodeJobData } from '@binge/core/queue';
import type { Storage } from '@binge/core/storage';
import { MediaError, throwIfAborted } from '../errors/media-error.ts';
import type { FfmpegLocation } from '../ffmpeg/ffmpeg-location.ts';
import type { FontFile } from '../fonts/font-file.ts';
import { demoCatalog, demoSourceKey, type DemoSeries } from './demo-catalog.ts';
import { renderDemoSource } from './demo-source.ts';

/** Payload of the `demo-source` job: which demo episode to render, and its database row. */
export interface DemoSourceJobData {
  episodeId: number;
  seriesSlug: string;
  number: number;
}

export const demoSourceJobName = 'demo-source';
export const transcodeJobName = 'transcode';

/** Deterministic ids, so re-seeding never queues an episode twice (BullMQ ids avoid ':'). */
export function demoSourceJobId(slug: string, number: number): string {
  return `demo-source-${slug}-ep${String(number).padStart(2, '0')}`;
}
export function demoTranscodeJobId(episodeId: number): string {
  return `transcode-demo-episode-${episodeId}`;
}

function checkData(data: unknown): DemoSourceJobData {
  const value = data as Partial<DemoSourceJobData> | null;
  if (
    typeof value !== 'object' ||
    value === null ||
    !Number.isSafeInteger(value.episodeId) ||
    typeof value.seriesSlug !== 'string' ||
    !Number.isSafeInteger(value.number)
  ) {
    throw new MediaError(
      'MEDIA_JOB_INVALID',
      `demo-source job needs { episodeId, seriesSlug, number }, got ${JSON.stringify(data)}`,
    );
  }
  return value as DemoSourceJobData;
}

/**
 * Renders a demo episode's source into storage (unless a previous run already did), then
 * transcodes it in the same job. Inline rather than queued behind every other source render, so
 * episode 1 of each series is playable within seconds of the first start, not after all sources.
 */
export function createDemoSourceProcessor(deps: {
  storage: Storage;
  /** The transcode processor, run on the rendered source within this job. */
  transcode: (job: JobContext<TranscodeJobData>) => Promise<unknown>;
  logger: Logger;
  binaries: () => FfmpegLocation;
  font: () => FontFile | null;
  catalog?: readonly DemoSeries[];
  /** Source size; 720x1280 portrait by default (tests use a tiny one). */
  size?: { width: number; height: number };
  tempRoot?: string;
}) {
  return async (job: JobContext<unknown>): Promise<{ sourceKey: string; generated: boolean }> => {
    const data = checkData(job.data);
    const series = (deps.catalog ?? demoCatalog).find((s) => s.slug === data.seriesSlug);
    const episode = series?.episodes.find((e) => e.number === data.number);
    if (!series || !episode)
      throw new MediaError(
        'MEDIA_DEMO_SERIES_UNKNOWN',
        `${data.seriesSlug} episode ${data.number} is not in the demo catalog`,
      );
    const sourceKey = demoSourceKey(series.slug, episode.number);
    const exists = (await deps.storage.stat(sourceKey)) !== null;
    if (!exists) {
      const dir = await mkdtemp(path.join(deps.tempRoot ?? os.tmpdir(), 'binge-demo-src-'));
      try {
        const output = path.join(dir, 'source.mp4');
        await renderDemoSource({
          ffmpeg: deps.binaries().ffmpeg,
          series,
          episode,
          font: deps.font(),
          output,
          ...(deps.size ?? {}),
          ...(deps.tempRoot ? { tempRoot: deps.tempRoot } : {}),
          signal: job.signal,
        });
        throwIfAborted(job.signal);
        await deps.storage.putFile(sourceKey, output);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    deps.logger.debug({ sourceKey, generated: !exists }, 'demo source ready');
    await deps.transcode({
      id: job.id,
      name: job.name,
      attempt: job.attempt,
      signal: job.signal,
      updateProgress: (progress) => job.updateProgress(progress),
      data: { episodeId: data.episodeId, sourceKey },
    });
    return { sourceKey, generated: !exists };
  };
}
