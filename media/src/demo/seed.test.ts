import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { DatabaseHandle } from '@binge/core/db';
import { categories, episodes, queueJobs, series, seriesTags, tags } from '@binge/core/db/schema';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLogger } from '@binge/core/log';
import { createLocalQueue } from '@binge/core/queue/queue-local';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import { demoCatalog, type DemoSeries } from './demo-catalog.ts';
import { demoSourceJobId } from './demo-source-job.ts';
import { seedDemoCatalog } from './seed.ts';

const small: DemoSeries[] = demoCatalog
  .slice(0, 2)
  .map((s) => ({ ...s, episodes: s.episodes.slice(0, 2) }));

test('the full catalog has the shape the brief promises', () => {
  assert.ok(demoCatalog.length >= 6);
  assert.deepEqual([...new Set(demoCatalog.map((s) => s.category))].sort(), [
    'comedy',
    'fantasy',
    'revenge',
    'romance',
    'time-travel',
    'urban',
  ]);
  for (const s of demoCatalog) {
    assert.ok(s.episodes.length >= 6 && s.episodes.length <= 10, s.slug);
    assert.match(s.title.zh, /[\u4e00-\u9fff]/);
    for (const e of s.episodes) {
      assert.ok(e.durationSeconds >= 20 && e.durationSeconds <= 60);
      assert.equal(e.isFree, e.number <= 3);
      if (!e.isFree) assert.ok(e.priceCoins >= 30 && e.priceCoins <= 80);
      assert.equal(e.outroStartMs, e.durationSeconds * 1000 - 4000);
      assert.ok(e.introEndMs <= 3000);
    }
  }
  assert.equal(new Set(demoCatalog.map((s) => s.look.background)).size >= 5, true);
});

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`demo seed on ${kind}`, () => {
    let handle: DatabaseHandle;
    let root: string;
    before(async () => {
      handle = await openTestDatabase(kind);
      root = mkdtempSync(path.join(os.tmpdir(), 'binge-seed-'));
    });
    after(async () => {
      await handle.close();
      rmSync(root, { recursive: true, force: true });
    });

    async function counts() {
      const count = async (
        table:
          | typeof categories
          | typeof tags
          | typeof series
          | typeof episodes
          | typeof seriesTags
          | typeof queueJobs,
      ) => (await handle.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;
      return {
        categories: await count(categories),
        tags: await count(tags),
        series: await count(series),
        seriesTags: await count(seriesTags),
        episodes: await count(episodes),
        jobs: await count(queueJobs),
      };
    }

    test('seeding twice creates everything once, queued episode 1 first', async () => {
      const logger = createLogger({ level: 'silent' });
      const storage = createLocalStorage(root);
      const queue = createLocalQueue({ db: handle.db, name: 'media', logger });
      await seedDemoCatalog({ db: handle.db, storage, queue, logger, catalog: small });
      const first = await counts();
      assert.deepEqual(first, {
        categories: 2,
        tags: 6,
        series: 2,
        seriesTags: 6,
        episodes: 4,
        jobs: 4,
      });
      await seedDemoCatalog({ db: handle.db, storage, queue, logger, catalog: small });
      assert.deepEqual(await counts(), first);

      const jobs = await handle.db
        .select()
        .from(queueJobs)
        .orderBy(queueJobs.createdAt, queueJobs.id);
      assert.ok(jobs.every((j) => j.name === 'demo-source' && j.state === 'waiting'));
      const numbers = jobs.map((j) => (j.data as { number: number }).number);
      assert.deepEqual(numbers.slice(0, 2), [1, 1]);

      const [ep] = await handle.db.select().from(episodes).where(eq(episodes.number, 2));
      assert.equal(ep!.status, 'pending');
      const rows = await handle.db.select().from(episodes).orderBy(episodes.id);
      assert.deepEqual(
        rows.map((r) => r.isFree),
        [true, true, true, true],
      );
      assert.equal(rows[0]!.outroStartMs, rows[0]!.durationMs - 4000);
      await queue.close();
    });

    test('seeding again retries a demo job that failed and leaves the completed ones', async () => {
      const storage = createLocalStorage(root);
      const silent = createLogger({ level: 'silent' });
      const failing = demoSourceJobId(small[0]!.slug, 1);
      const first = createLocalQueue({ db: handle.db, name: 'media', logger: silent });
      await seedDemoCatalog({
        db: handle.db,
        storage,
        queue: first,
        logger: silent,
        catalog: small,
      });
      const ids = (await handle.db.select({ id: queueJobs.id }).from(queueJobs)).map((j) => j.id);
      assert.equal(ids.length, 4);
      first.work(async (job) => {
        if (job.id === failing) throw new Error('ffmpeg is not installed');
        return null;
      });
      for (const id of ids) await first.waitFor(id, 20_000);
      assert.equal((await first.getJob(failing))?.state, 'failed');
      await first.close();

      // The next start: a new queue over the same table, seeded before its processor starts.
      const restarted = createLocalQueue({ db: handle.db, name: 'media', logger: silent });
      const logger = createLogger({ level: 'silent' });
      const info = mock.method(logger, 'info');
      await seedDemoCatalog({ db: handle.db, storage, queue: restarted, logger, catalog: small });
      assert.equal((await counts()).jobs, 4);
      const retried = await restarted.getJob(failing);
      assert.equal(retried?.state, 'waiting');
      assert.equal(retried?.attempts, 0);
      assert.equal(retried?.failedReason, null);
      for (const id of ids.filter((id) => id !== failing))
        assert.equal((await restarted.getJob(id))?.state, 'completed', id);
      assert.ok(
        info.mock.calls.some(
          ({ arguments: [fields, message] }) =>
            message === 'retrying a failed demo job' &&
            (fields as { jobId?: string }).jobId === failing &&
            (fields as { failedReason?: string }).failedReason === 'ffmpeg is not installed',
        ),
      );

      restarted.work(async () => 'rendered');
      const done = await restarted.waitFor(failing, 20_000);
      assert.equal(done.state, 'completed');
      assert.equal(done.result, 'rendered');
      await restarted.close();
    });
  });
}
