import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { createMemoryBus } from '@binge/core/bus/bus-memory';
import type { DatabaseHandle } from '@binge/core/db';
import { episodes, series } from '@binge/core/db/schema';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLogger } from '@binge/core/log';
import { createLocalQueue } from '@binge/core/queue/queue-local';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import { demoCatalog, type DemoSeries } from '../demo/demo-catalog.ts';
import { demoSourceJobId } from '../demo/demo-source-job.ts';
import { seedDemoCatalog } from '../demo/seed.ts';
import { createMediaProcessor } from './media-processor.ts';

const base = demoCatalog[0]!;
const catalog: DemoSeries[] = [
  { ...base, episodes: [{ ...base.episodes[0]!, durationSeconds: 8, outroStartMs: 4000 }] },
];

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`media processor on ${kind}`, () => {
    let handle: DatabaseHandle;
    let root: string;
    before(async () => {
      handle = await openTestDatabase(kind);
      root = mkdtempSync(path.join(os.tmpdir(), 'binge-mp-'));
    });
    after(async () => {
      await handle.close();
      rmSync(root, { recursive: true, force: true });
    });

    test('a seeded demo episode is rendered, transcoded and published; unknown jobs fail coded', async () => {
      const logger = createLogger({ level: 'silent' });
      const storage = createLocalStorage(path.join(root, 'store'));
      const bus = createMemoryBus({ logger });
      const queue = createLocalQueue({ db: handle.db, name: 'media', logger, pollIntervalMs: 100 });
      await seedDemoCatalog({ db: handle.db, storage, queue, logger, catalog });
      queue.work(
        createMediaProcessor({
          db: handle.db,
          storage,
          bus,
          logger,
          config: {
            mediaEncryption: 'paid',
            watermarkText: '',
            hlsSegmentSeconds: 2,
            ffmpegPath: undefined,
            ffprobePath: undefined,
          },
          ladder: [{ shortSide: 180, videoKbps: 300, audioKbps: 64 }],
          demoCatalog: catalog,
          demoSourceSize: { width: 180, height: 320 },
        }),
      );
      const [ep] = await handle.db.select().from(episodes);
      // The demo-source job renders the source and transcodes it inline.
      const transcodeId = demoSourceJobId(catalog[0]!.slug, ep!.number);
      let info = await queue.getJob(transcodeId);
      for (let i = 0; i < 600 && !info; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        info = await queue.getJob(transcodeId);
      }
      const done = await queue.waitFor(transcodeId, 120_000);
      assert.equal(done.state, 'completed', done.failedReason ?? '');
      const unknown = await queue.add('nonsense', {});
      assert.match(
        (await queue.waitFor(unknown.id, 30_000)).failedReason ?? '',
        /^MEDIA_JOB_INVALID: /,
      );
      await queue.close();

      const [ready] = await handle.db.select().from(episodes).where(eq(episodes.id, ep!.id));
      assert.equal(ready!.status, 'ready');
      assert.ok(Math.abs(ready!.durationMs - 8000) < 200);
      const [s] = await handle.db.select().from(series);
      assert.equal(s!.status, 'published');
      assert.ok(s!.posterKey);
      const source = storage.localPath(`sources/demo/${base.slug}/ep01.mp4`)!;
      const probe = spawnSync('ffprobe', ['-v', 'error', '-show_streams', source], {
        encoding: 'utf8',
      });
      assert.match(probe.stdout, /width=180\nheight=320/);
      assert.match(probe.stdout, /codec_type=audio/);
    });
  });
}
