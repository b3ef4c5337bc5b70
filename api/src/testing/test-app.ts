import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '@binge/core/config';
import type { DatabaseHandle } from '@binge/core/db';
import { openTestDatabase } from '@binge/core/db/testing';
import type { Storage } from '@binge/core/storage';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import { build, type AppDeps, type BuildOptions } from '../app.ts';

export const TEST_MEDIA_SECRET = 'test-media-secret-0123456789abcdef-0123456789';

/** A built app over a fresh database and a temporary local storage, torn down by close(). */
export interface TestApp {
  app: FastifyInstance;
  config: Config;
  db: DatabaseHandle;
  storage: Storage;
  close(): Promise<void>;
}

export async function openTestApp(
  kind: 'pglite' | 'postgres',
  extra: Partial<
    Pick<
      AppDeps,
      | 'entitlements'
      | 'viewerOf'
      | 'realtimeStore'
      | 'textFilter'
      | 'rankingRefresher'
      | 'redis'
      | 'smsSender'
      | 'bus'
      | 'feed'
      | 'watchIngester'
    >
  > & {
    db?: DatabaseHandle;
    /** Extra settings, as environment variables (e.g. MEDIA_CACHE_MB). */
    env?: Record<string, string>;
  } = {},
  options: BuildOptions = {},
): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'binge-api-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    MEDIA_SECRET: TEST_MEDIA_SECRET,
    LOG_LEVEL: 'silent',
    ...extra.env,
  });
  const db = extra.db ?? (await openTestDatabase(kind));
  const storage = createLocalStorage(path.join(dataDir, 'media'));
  const { env: _env, ...deps } = extra;
  const app = await build({ config, db, storage, ...deps }, options);
  return {
    app,
    config,
    db,
    storage,
    async close() {
      await app.close();
      if (!extra.db) await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Writes small stand-ins for an asset's files: playlists that reference real segment files. */
export async function writeAssetFiles(storage: Storage, storagePrefix: string) {
  const prefix = storagePrefix.replace(/\/$/, '');
  await storage.put(
    `${prefix}/master.m3u8`,
    Buffer.from(
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=360x640\n360p/index.m3u8\n',
    ),
  );
  await storage.put(
    `${prefix}/360p/index.m3u8`,
    Buffer.from('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg-00000.ts\n#EXT-X-ENDLIST\n'),
  );
  const segment = Buffer.alloc(1000);
  for (let i = 0; i < segment.length; i++) segment[i] = i % 251;
  await storage.put(`${prefix}/360p/seg-00000.ts`, segment);
  await storage.put(`${prefix}/poster.jpg`, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
  await storage.put(`${prefix}/sprite.vtt`, Buffer.from('WEBVTT\n'));
  return { segment };
}
