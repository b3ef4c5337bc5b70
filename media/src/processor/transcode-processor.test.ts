import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { topics, type MediaProgressMessage } from '@binge/core/bus';
import { createMemoryBus } from '@binge/core/bus/bus-memory';
import { loadConfig } from '@binge/core/config';
import type { DatabaseHandle } from '@binge/core/db';
import { categories, episodes, mediaAssets, renditions, series } from '@binge/core/db/schema';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLogger } from '@binge/core/log';
import type { Processor } from '@binge/core/queue';
import { createLocalQueue } from '@binge/core/queue/queue-local';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import { parseMediaPlaylist } from '../hls/media-playlist.ts';
import type { RungDefinition } from '../ladder/ladder.ts';
import { createTranscodeProcessor, type MediaConfig } from './transcode-processor.ts';

const tinyLadder: RungDefinition[] = [
  { shortSide: 120, videoKbps: 150, audioKbps: 64 },
  { shortSide: 180, videoKbps: 300, audioKbps: 64 },
];

function makeSource(file: string, seconds: number): void {
  const result = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=180x320:r=25:d=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=48000:d=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    file,
  ]);
  assert.equal(result.status, 0, result.stderr.toString());
}

function ffprobeOk(file: string, extra: string[] = []): string {
  const result = spawnSync('ffprobe', ['-v', 'error', ...extra, '-show_streams', file], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`transcode processor on ${kind}`, () => {
    let handle: DatabaseHandle;
    let root: string;
    let tempRoot: string;
    const logger = createLogger({ level: 'silent' });
    const bus = createMemoryBus({ logger });
    const base = loadConfig({ DATA_DIR: os.tmpdir(), MEDIA_SECRET: 'x'.repeat(32) });
    const storageDir = () => path.join(root, 'store');
    let seriesId = 0;
    let nextNumber = 1;

    before(async () => {
      handle = await openTestDatabase(kind);
      root = mkdtempSync(path.join(os.tmpdir(), 'binge-media-test-'));
      tempRoot = path.join(root, 'tmp');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(tempRoot);
      const [category] = await handle.db
        .insert(categories)
        .values({ slug: 'romance', nameEn: 'Romance', nameZh: '甜宠' })
        .returning();
      const [s] = await handle.db
        .insert(series)
        .values({
          slug: 's',
          titleEn: 'S',
          titleZh: '剧',
          synopsisEn: '-',
          synopsisZh: '-',
          categoryId: category!.id,
        })
        .returning();
      seriesId = s!.id;
    });
    after(async () => {
      await handle.close();
      rmSync(root, { recursive: true, force: true });
    });

    async function episode(isFree: boolean): Promise<number> {
      const [row] = await handle.db
        .insert(episodes)
        .values({
          seriesId,
          number: nextNumber++,
          titleEn: 'E',
          titleZh: '集',
          isFree,
          priceCoins: isFree ? 0 : 50,
        })
        .returning();
      return row!.id;
    }

    function setup(mediaEncryption: MediaConfig['mediaEncryption'], watermarkText = '') {
      const storage = createLocalStorage(storageDir());
      const queue = createLocalQueue({
        db: handle.db,
        name: `media-${randomBytes(3).toString('hex')}`,
        logger,
        pollIntervalMs: 100,
      });
      const config: MediaConfig = { ...base, mediaEncryption, watermarkText, hlsSegmentSeconds: 2 };
      queue.work(
        createTranscodeProcessor({
          db: handle.db,
          storage,
          bus,
          config,
          logger,
          ladder: tinyLadder,
          tempRoot,
        }) as Processor,
      );
      return { storage, queue };
    }

    test('a tiny source becomes a playable HLS ladder with poster, sprite and DB rows', async () => {
      const { storage, queue } = setup('none', 'binge.demo');
      const episodeId = await episode(true);
      const sourceFile = path.join(root, 'src.mp4');
      makeSource(sourceFile, 4);
      await storage.putFile('sources/test/ep01.mp4', sourceFile);
      const stages: string[] = [];
      const unsubscribe = await bus.subscribe<MediaProgressMessage>(topics.mediaProgress, (m) => {
        if (m.episodeId === episodeId) stages.push(m.stage);
      });
      const { id } = await queue.add('transcode', {
        episodeId,
        sourceKey: 'sources/test/ep01.mp4',
      });
      const job = await queue.waitFor(id, 60_000);
      await unsubscribe();
      await queue.close();
      assert.equal(job.state, 'completed', job.failedReason ?? '');
      for (const stage of ['probe', 'transcode', 'poster', 'sprite', 'publish', 'done'])
        assert.ok(stages.includes(stage), stage);

      const [ep] = await handle.db.select().from(episodes).where(eq(episodes.id, episodeId));
      assert.equal(ep!.status, 'ready');
      assert.ok(Math.abs(ep!.durationMs - 4000) < 200);
      assert.ok(ep!.publishedAt);
      const [asset] = await handle.db
        .select()
        .from(mediaAssets)
        .where(eq(mediaAssets.id, ep!.mediaAssetId!));
      assert.equal(asset!.status, 'ready');
      assert.equal(asset!.encrypted, false);
      assert.equal(asset!.aesKey, null);
      assert.deepEqual([asset!.width, asset!.height], [180, 320]);
      const prefix = `episodes/${episodeId}/${asset!.id}/`;
      assert.equal(asset!.storagePrefix, prefix);
      const rows = await handle.db
        .select()
        .from(renditions)
        .where(eq(renditions.assetId, asset!.id));
      assert.deepEqual(rows.map((r) => `${r.name} ${r.width}x${r.height}`).sort(), [
        '120p 120x214',
        '180p 180x320',
      ]);
      const [s] = await handle.db.select().from(series).where(eq(series.id, seriesId));
      assert.equal(s!.status, 'published');
      assert.equal(s!.posterKey, asset!.posterKey);

      const keys = await storage.list(prefix);
      for (const name of [
        'master.m3u8',
        'poster.jpg',
        'sprite.jpg',
        'sprite.vtt',
        '120p/index.m3u8',
        '180p/seg_00001.ts',
      ]) {
        assert.ok(keys.includes(`${prefix}${name}`), `${name} in ${keys.join(', ')}`);
      }
      const master = (await storage.readBuffer(`${prefix}master.m3u8`)).toString();
      assert.match(
        master,
        /BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,RESOLUTION=120x214,CODECS="avc1\.4d40[0-9a-f]{2},mp4a\.40\.2"/,
      );
      assert.match(master, /RESOLUTION=180x320/);
      const streams = ffprobeOk(storage.localPath(`${prefix}master.m3u8`)!);
      assert.match(streams, /codec_name=h264/);
      assert.match(streams, /codec_name=aac/);
      const playlist = parseMediaPlaylist(
        (await storage.readBuffer(`${prefix}180p/index.m3u8`)).toString(),
      );
      assert.equal(playlist.segments.length, 2);
      for (const segment of playlist.segments)
        assert.ok(Math.abs(segment.durationSeconds - 2) < 0.15, String(segment.durationSeconds));
      assert.equal(playlist.keys.length, 0);
      const vtt = (await storage.readBuffer(`${prefix}sprite.vtt`)).toString();
      assert.match(
        vtt,
        /^WEBVTT\n\n00:00:00\.000 --> 00:00:02\.000\nsprite\.jpg#xywh=0,0,90,160\n/,
      );
      assert.match(ffprobeOk(storage.localPath(`${prefix}sprite.jpg`)!), /width=180\nheight=160/);
      assert.deepEqual(readdirSync(tempRoot), []);
    });

    test('paid episodes are AES-128 encrypted; the key is in the DB only and decrypts', async () => {
      const { storage, queue } = setup('paid');
      const episodeId = await episode(false);
      const sourceFile = path.join(root, 'src.mp4');
      makeSource(sourceFile, 4);
      await storage.putFile('sources/test/ep02.mp4', sourceFile);
      const { id } = await queue.add('transcode', {
        episodeId,
        sourceKey: 'sources/test/ep02.mp4',
      });
      const job = await queue.waitFor(id, 60_000);
      await queue.close();
      assert.equal(job.state, 'completed', job.failedReason ?? '');
      const [ep] = await handle.db.select().from(episodes).where(eq(episodes.id, episodeId));
      const [asset] = await handle.db
        .select()
        .from(mediaAssets)
        .where(eq(mediaAssets.id, ep!.mediaAssetId!));
      assert.equal(asset!.encrypted, true);
      assert.equal(asset!.aesKey!.length, 16);
      const prefix = asset!.storagePrefix;
      const uri = `/api/v1/episodes/${episodeId}/keys/${asset!.id}`;
      const keys = await storage.list(prefix);
      assert.ok(!keys.some((k) => /key/i.test(k)), keys.join(', '));
      for (const key of keys)
        assert.ok(!(await storage.readBuffer(key)).includes(asset!.aesKey!), `key bytes in ${key}`);
      const playlistText = (await storage.readBuffer(`${prefix}180p/index.m3u8`)).toString();
      assert.ok(
        playlistText.includes(`#EXT-X-KEY:METHOD=AES-128,URI="${uri}",IV=0x`),
        playlistText,
      );
      const segment = await storage.readBuffer(`${prefix}180p/seg_00001.ts`);
      // Clear MPEG-TS has the sync byte 0x47 at every 188-byte packet start; ciphertext has it at
      // one by chance (1 in 256, which once failed a check of the first byte alone), not at all.
      const packetStarts = Array.from({ length: 8 }, (_, i) => segment[i * 188]);
      assert.ok(
        packetStarts.some((byte) => byte !== 0x47),
        `segment looks like clear MPEG-TS: ${packetStarts.join(',')}`,
      );

      const dir = path.dirname(storage.localPath(`${prefix}180p/index.m3u8`)!);
      const keyFile = path.join(root, 'key.bin');
      writeFileSync(keyFile, asset!.aesKey!);
      const localPlaylist = path.join(dir, 'local-test.m3u8');
      writeFileSync(localPlaylist, playlistText.replace(uri, keyFile));
      try {
        const decoded = spawnSync(
          'ffmpeg',
          ['-v', 'error', '-allowed_extensions', 'ALL', '-i', localPlaylist, '-f', 'null', '-'],
          {
            encoding: 'utf8',
          },
        );
        assert.equal(decoded.status, 0, decoded.stderr);
        assert.equal(decoded.stderr.trim(), '');
        writeFileSync(keyFile, randomBytes(16));
        const wrong = spawnSync(
          'ffmpeg',
          ['-v', 'error', '-allowed_extensions', 'ALL', '-i', localPlaylist, '-f', 'null', '-'],
          {
            encoding: 'utf8',
          },
        );
        assert.ok(
          wrong.status !== 0 || wrong.stderr.trim() !== '',
          'a wrong key must not decode cleanly',
        );
      } finally {
        rmSync(localPlaylist);
      }
    });

    test('a corrupt source fails with MEDIA_SOURCE_INVALID and leaves nothing behind', async () => {
      const { storage, queue } = setup('all');
      const episodeId = await episode(true);
      await storage.put('sources/test/bad.mp4', randomBytes(64 * 1024));
      const { id } = await queue.add('transcode', { episodeId, sourceKey: 'sources/test/bad.mp4' });
      const job = await queue.waitFor(id, 60_000);
      await queue.close();
      assert.equal(job.state, 'failed');
      assert.match(job.failedReason ?? '', /^MEDIA_SOURCE_INVALID: /);
      assert.deepEqual(await storage.list(`episodes/${episodeId}/`), []);
      const [ep] = await handle.db.select().from(episodes).where(eq(episodes.id, episodeId));
      assert.equal(ep!.status, 'failed');
      assert.equal(ep!.mediaAssetId, null);
      const assets = await handle.db
        .select()
        .from(mediaAssets)
        .where(eq(mediaAssets.episodeId, episodeId));
      assert.equal(assets.length, 1);
      assert.equal(assets[0]!.status, 'failed');
      assert.match(assets[0]!.error ?? '', /MEDIA_SOURCE_INVALID/);
      assert.deepEqual(readdirSync(tempRoot), []);
    });

    test('a missing source or a bad payload fails with its code', async () => {
      const { queue } = setup('none');
      const episodeId = await episode(true);
      const missing = await queue.add('transcode', { episodeId, sourceKey: 'sources/none.mp4' });
      const bad = await queue.add('transcode', { episodeId: 'x' });
      const gone = await queue.add('transcode', { episodeId: 999_999, sourceKey: 'a.mp4' });
      assert.match(
        (await queue.waitFor(missing.id, 30_000)).failedReason ?? '',
        /^MEDIA_SOURCE_MISSING: /,
      );
      assert.match(
        (await queue.waitFor(bad.id, 30_000)).failedReason ?? '',
        /^MEDIA_JOB_INVALID: /,
      );
      assert.match(
        (await queue.waitFor(gone.id, 30_000)).failedReason ?? '',
        /^MEDIA_EPISODE_NOT_FOUND: /,
      );
      await queue.close();
    });

    test('an abort mid-transcode cleans up and puts the episode back to pending', async () => {
      const { storage, queue } = setup('all');
      const episodeId = await episode(true);
      const sourceFile = path.join(root, 'long.mp4');
      makeSource(sourceFile, 30);
      await storage.putFile('sources/test/long.mp4', sourceFile);
      let closing: Promise<void> | null = null;
      const unsubscribe = await bus.subscribe<MediaProgressMessage>(topics.mediaProgress, (m) => {
        if (m.episodeId === episodeId && m.stage === 'transcode' && !closing)
          closing = queue.close();
      });
      const { id } = await queue.add('transcode', {
        episodeId,
        sourceKey: 'sources/test/long.mp4',
      });
      while (!closing) await new Promise((resolve) => setTimeout(resolve, 20));
      await closing;
      await unsubscribe();
      const info = await queue.getJob(id);
      assert.equal(info!.state, 'waiting');
      const [ep] = await handle.db.select().from(episodes).where(eq(episodes.id, episodeId));
      assert.equal(ep!.status, 'pending');
      assert.equal(ep!.mediaAssetId, null);
      assert.deepEqual(await storage.list(`episodes/${episodeId}/`), []);
      assert.deepEqual(readdirSync(tempRoot), []);
      const assets = await handle.db
        .select()
        .from(mediaAssets)
        .where(eq(mediaAssets.episodeId, episodeId));
      assert.equal(assets[0]!.status, 'failed');
      assert.match(assets[0]!.error ?? '', /^MEDIA_ABORTED/);
    });

    test('a failed re-transcode leaves the episode ready on its previous asset', async () => {
      const { storage, queue } = setup('none');
      const episodeId = await episode(true);
      const sourceFile = path.join(root, 'src.mp4');
      makeSource(sourceFile, 2);
      await storage.putFile('sources/test/again.mp4', sourceFile);
      const first = await queue.add('transcode', {
        episodeId,
        sourceKey: 'sources/test/again.mp4',
      });
      assert.equal((await queue.waitFor(first.id, 60_000)).state, 'completed');
      const [before] = await handle.db.select().from(episodes).where(eq(episodes.id, episodeId));
      await storage.put('sources/test/again-bad.mp4', Buffer.from('not a video at all'));
      const second = await queue.add('transcode', {
        episodeId,
        sourceKey: 'sources/test/again-bad.mp4',
      });
      assert.equal((await queue.waitFor(second.id, 60_000)).state, 'failed');
      await queue.close();
      const [afterwards] = await handle.db
        .select()
        .from(episodes)
        .where(eq(episodes.id, episodeId));
      assert.equal(afterwards!.status, 'ready');
      assert.equal(afterwards!.mediaAssetId, before!.mediaAssetId);
      const playlist = readFileSync(
        storage.localPath(`episodes/${episodeId}/${before!.mediaAssetId}/master.m3u8`)!,
        'utf8',
      );
      assert.match(playlist, /^#EXTM3U/);
    });
  });
}
