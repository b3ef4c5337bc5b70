import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { Bus } from '@binge/core/bus';
import type { Config } from '@binge/core/config';
import type { Database } from '@binge/core/db';
import { episodes, mediaAssets, renditions, series } from '@binge/core/db/schema';
import type { Logger } from '@binge/core/log';
import type { JobContext, Processor, TranscodeJobData } from '@binge/core/queue';
import { InvalidStorageKeyError, type Storage } from '@binge/core/storage';
import { MediaError, abortError, throwIfAborted } from '../errors/media-error.ts';
import { shouldEncrypt } from '../encryption/encryption-policy.ts';
import { createHlsKey, keyUri, type HlsKey } from '../encryption/hls-key.ts';
import { locateFfmpeg, type FfmpegLocation } from '../ffmpeg/ffmpeg-location.ts';
import { findFont } from '../fonts/font-file.ts';
import { defaultLadder, planLadder, type RungDefinition } from '../ladder/ladder.ts';
import { probeMedia } from '../probe/probe.ts';
import { posterName, writePoster } from '../thumbnails/poster.ts';
import { spriteIndexName, spriteName, writeSprite } from '../thumbnails/sprite.ts';
import { masterPlaylistName, transcodeLadder } from '../transcode/transcode.ts';
import { createProgressReporter } from './progress-reporter.ts';
import { checkTranscodeJob } from './transcode-job.ts';

export type MediaConfig = Pick<
  Config,
  'mediaEncryption' | 'watermarkText' | 'hlsSegmentSeconds' | 'ffmpegPath' | 'ffprobePath'
>;

export interface TranscodeProcessorDeps {
  db: Database;
  storage: Storage;
  bus: Bus;
  config: MediaConfig;
  logger: Logger;
  /** Binaries to use (or a lazy lookup); located from config on the first job when absent. */
  ffmpeg?: FfmpegLocation | (() => FfmpegLocation);
  /** Rungs to plan from; the default 360p/720p/1080p ladder when absent (tests use tiny ones). */
  ladder?: readonly RungDefinition[];
  /** Parent of the per-job private temp directories; os.tmpdir() by default. */
  tempRoot?: string;
}

export interface TranscodeResult {
  assetId: number;
  masterKey: string;
  renditions: string[];
  encrypted: boolean;
}

async function listFiles(dir: string, base = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, base), { withFileTypes: true })) {
    const rel = base === '' ? entry.name : `${base}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/**
 * The `transcode` job: source → HLS ladder (optionally AES-128), poster, sprite → storage → one
 * transaction that publishes the asset. Everything before that transaction is private (a temp
 * directory, an asset row in `processing`, files under a fresh prefix nobody points at), so a
 * failure or an abort at any step leaves the episode exactly as it was: never half published.
 */
export function createTranscodeProcessor(
  deps: TranscodeProcessorDeps,
): Processor<TranscodeJobData, TranscodeResult> {
  const { db, storage, bus, config, logger } = deps;
  let location: FfmpegLocation | undefined;
  const binaries = (): FfmpegLocation => {
    if (typeof deps.ffmpeg === 'function') return deps.ffmpeg();
    location ??=
      deps.ffmpeg ??
      locateFfmpeg({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath });
    return location;
  };

  return async (job: JobContext<TranscodeJobData>): Promise<TranscodeResult> => {
    const { signal } = job;
    const data = checkTranscodeJob(job.data);
    const [episode] = await db.select().from(episodes).where(eq(episodes.id, data.episodeId));
    if (!episode)
      throw new MediaError('MEDIA_EPISODE_NOT_FOUND', `episode ${data.episodeId} does not exist`);
    const report = createProgressReporter({
      bus,
      logger,
      jobId: job.id,
      episodeId: episode.id,
      updateProgress: (p) => job.updateProgress(p),
    });
    const log = logger.child({ jobId: job.id, episodeId: episode.id });

    let assetId: number | null = null;
    let prefix: string | null = null;
    let tempDir: string | null = null;
    try {
      throwIfAborted(signal);
      const { ffmpeg, ffprobe } = binaries();
      const [asset] = await db
        .insert(mediaAssets)
        .values({
          episodeId: episode.id,
          sourceKey: data.sourceKey,
          storagePrefix: `episodes/${episode.id}/`,
        })
        .returning({ id: mediaAssets.id });
      assetId = asset!.id;
      prefix = `episodes/${episode.id}/${assetId}/`;
      await db
        .update(mediaAssets)
        .set({ storagePrefix: prefix })
        .where(eq(mediaAssets.id, assetId));
      // An episode already playing on an older asset keeps playing on it while the new one is made.
      await db
        .update(episodes)
        .set({
          status: sql`case when ${episodes.mediaAssetId} is null then 'processing' else ${episodes.status} end`,
        })
        .where(eq(episodes.id, episode.id));

      tempDir = await mkdtemp(path.join(deps.tempRoot ?? os.tmpdir(), 'binge-media-'));
      const outDir = path.join(tempDir, 'out');
      const privateDir = path.join(tempDir, 'private');
      await mkdir(outDir);
      await mkdir(privateDir, { mode: 0o700 });

      await report('probe', 0.01);
      let sourceFile: string;
      try {
        if ((await storage.stat(data.sourceKey)) === null)
          throw new MediaError('MEDIA_SOURCE_MISSING', `no object at ${data.sourceKey}`);
      } catch (error) {
        if (error instanceof InvalidStorageKeyError)
          throw new MediaError(
            'MEDIA_JOB_INVALID',
            `bad source key ${JSON.stringify(data.sourceKey)}`,
          );
        throw error;
      }
      const local = storage.localPath(data.sourceKey);
      if (local) sourceFile = local;
      else {
        sourceFile = path.join(privateDir, 'source');
        await pipeline(storage.read(data.sourceKey), createWriteStream(sourceFile));
      }
      const info = await probeMedia(ffprobe, sourceFile, signal);
      const plan = planLadder(info, deps.ladder ?? defaultLadder);
      log.info({ info, renditions: plan.map((r) => r.name) }, 'probed source');

      const [owner] = await db
        .select({ isFree: episodes.isFree })
        .from(episodes)
        .where(eq(episodes.id, episode.id));
      let key: HlsKey | null = null;
      if (shouldEncrypt(config.mediaEncryption, { isFree: owner?.isFree ?? episode.isFree })) {
        key = await createHlsKey(privateDir, keyUri(episode.id, assetId));
      }
      let watermark: { textFile: string; fontFile: string | null } | undefined;
      if (config.watermarkText !== '') {
        const textFile = path.join(privateDir, 'watermark.txt');
        await writeFile(textFile, config.watermarkText);
        watermark = { textFile, fontFile: findFont()?.file ?? null };
      }

      await report('transcode', 0.02);
      const produced = await transcodeLadder(
        {
          input: sourceFile,
          outDir,
          renditions: plan,
          hasAudio: info.hasAudio,
          sourceFps: info.fps,
          segmentSeconds: config.hlsSegmentSeconds,
          ...(watermark ? { watermark } : {}),
          ...(key ? { keyInfoFile: key.keyInfoFile } : {}),
        },
        {
          ffmpeg,
          durationSeconds: info.durationSeconds,
          signal,
          onProgress: (fraction) => void report('transcode', 0.02 + fraction * 0.83),
        },
      );

      throwIfAborted(signal);
      await report('poster', 0.86);
      const top = plan.at(-1)!;
      await writePoster(ffmpeg, sourceFile, path.join(outDir, posterName), {
        durationSeconds: info.durationSeconds,
        maxWidth: Math.min(top.width, 720),
        signal,
      });
      await report('sprite', 0.9);
      await writeSprite(
        ffmpeg,
        sourceFile,
        { image: path.join(outDir, spriteName), vtt: path.join(outDir, spriteIndexName) },
        info,
        signal,
      );

      await report('publish', 0.93);
      for (const file of await listFiles(outDir)) {
        throwIfAborted(signal);
        await storage.putFile(`${prefix}${file}`, path.join(outDir, file));
      }

      throwIfAborted(signal);
      const masterKey = `${prefix}${masterPlaylistName}`;
      const posterKey = `${prefix}${posterName}`;
      const durationMs = Math.round(info.durationSeconds * 1000);
      const publishedAssetId = assetId;
      await db.transaction(async (tx) => {
        await tx
          .update(mediaAssets)
          .set({
            status: 'ready',
            masterKey,
            posterKey,
            spriteKey: `${prefix}${spriteName}`,
            spriteIndexKey: `${prefix}${spriteIndexName}`,
            durationMs,
            width: info.width,
            height: info.height,
            encrypted: key !== null,
            aesKey: key?.key ?? null,
            error: null,
            readyAt: new Date(),
          })
          .where(eq(mediaAssets.id, publishedAssetId));
        await tx.insert(renditions).values(
          produced.map((r) => ({
            assetId: publishedAssetId,
            name: r.name,
            width: r.width,
            height: r.height,
            bandwidth: r.declaredBandwidth,
            codecs: r.codecs,
            playlistKey: `${prefix}${r.playlist}`,
          })),
        );
        const [previous] = await tx
          .select({ mediaAssetId: episodes.mediaAssetId, posterKey: mediaAssets.posterKey })
          .from(episodes)
          .leftJoin(mediaAssets, eq(mediaAssets.id, episodes.mediaAssetId))
          .where(eq(episodes.id, episode.id))
          .for('update', { of: episodes });
        const [updated] = await tx
          .update(episodes)
          .set({
            mediaAssetId: publishedAssetId,
            status: 'ready',
            durationMs,
            publishedAt: sql`coalesce(${episodes.publishedAt}, now())`,
          })
          .where(eq(episodes.id, episode.id))
          .returning({ seriesId: episodes.seriesId, number: episodes.number });
        if (updated!.number === 1) {
          // The series poster follows episode 1, unless an editor set another one.
          const stillOurs = previous?.posterKey
            ? eq(series.posterKey, previous.posterKey)
            : undefined;
          await tx
            .update(series)
            .set({ posterKey })
            .where(
              and(
                eq(series.id, updated!.seriesId),
                stillOurs ? or(isNull(series.posterKey), stillOurs) : isNull(series.posterKey),
              ),
            );
        }
        // The first episode of a series to become playable publishes the series.
        await tx
          .update(series)
          .set({ status: 'published', publishedAt: sql`coalesce(${series.publishedAt}, now())` })
          .where(and(eq(series.id, updated!.seriesId), eq(series.status, 'draft')));
      });
      await report('done', 1);
      log.info(
        { assetId, renditions: produced.map((r) => r.name), encrypted: key !== null },
        'episode media ready',
      );
      return {
        assetId,
        masterKey,
        renditions: produced.map((r) => r.name),
        encrypted: key !== null,
      };
    } catch (caught) {
      const aborted = signal.aborted;
      const error =
        aborted && !(caught instanceof MediaError && caught.code === 'MEDIA_ABORTED')
          ? abortError(signal)
          : caught;
      const reason = error instanceof Error ? error.message : String(error);
      // Undo in reverse order; each step is attempted even if an earlier one fails.
      if (tempDir) await rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
      tempDir = null;
      if (prefix) {
        await storage
          .deletePrefix(prefix)
          .catch((e: unknown) => log.error({ err: e, prefix }, 'could not delete prefix'));
      }
      try {
        if (assetId !== null) {
          await db
            .update(mediaAssets)
            .set({ status: 'failed', error: reason })
            .where(eq(mediaAssets.id, assetId));
          await db
            .update(episodes)
            .set({
              status: sql`case when ${episodes.mediaAssetId} is not null then 'ready'
                           else ${aborted ? 'pending' : 'failed'} end`,
            })
            .where(eq(episodes.id, episode.id));
        }
      } catch (dbError) {
        log.error({ err: dbError }, 'could not record the failure of a media job');
      }
      await report('failed', 0, reason);
      if (aborted) log.info({ reason }, 'media job aborted; it will run again');
      else log.warn({ reason }, 'media job failed');
      throw error;
    } finally {
      if (tempDir) await rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
    }
  };
}
