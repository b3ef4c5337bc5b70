import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { topics, type RankerModelMessage } from '@binge/core/bus';
import { createMemoryBus } from '@binge/core/bus/bus-memory';
import type { DatabaseHandle } from '@binge/core/db';
import { feedImpressions, rankerModels, watchEvents } from '@binge/core/db/schema';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLogger } from '@binge/core/log';
import type { Queue } from '@binge/core/queue';
import { createBullmqQueue } from '@binge/core/queue/queue-bullmq';
import { createLocalQueue } from '@binge/core/queue/queue-local';
import type { Storage } from '@binge/core/storage';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import { SERVING_DIM, SERVING_FEATURES } from '../features/spec.ts';
import { loadModelArtifact, saveModelArtifact } from '../model/artifacts.ts';
import { initBackend } from '../model/backend.ts';
import { RankerModel, seededRandom } from '../model/ranker-model.ts';
import { syntheticServingSet } from '../model/synthetic-set.ts';
import { trainRanker, type TrainRankerResult } from './train-job.ts';
import {
  createTrainingProcessor,
  scheduleTraining,
  trainingSlot,
  trainJobName,
} from './train-schedule.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = createLogger({ level: 'silent' });
const now = new Date('2025-03-10T12:00:00Z');
const hour = 3_600_000;
const driver = SERVING_FEATURES.indexOf('cross_category_affinity');
/** Few epochs on few rows: seconds, not minutes. */
const quick = { epochs: 12, batchSize: 64, hidden: [16] };

/**
 * A synthetic log: `rows` impressions spread over the last six days, one viewer's feed each
 * time, whose plays depend on cross_category_affinity (P(play) = it). Plays carry the impression
 * token; every fifth one does not, and is joined by time. `invertBefore` flips the relation for
 * impressions served before that fraction of the window (a world that changed its mind).
 */
async function seedLog(
  handle: DatabaseHandle,
  tag: string,
  rows: number,
  seed: number,
  invertBefore = 0,
): Promise<void> {
  const random = seededRandom(seed);
  const impressions: (typeof feedImpressions.$inferInsert)[] = [];
  const events: (typeof watchEvents.$inferInsert)[] = [];
  const span = 6 * 24 * hour;
  for (let i = 0; i < rows; i += 1) {
    // All served before the last attribution window, which training leaves for the next run.
    const servedAt = now.getTime() - hour - span + Math.floor((i / rows) * span);
    const id = `${tag}${i}.${i % 10}`;
    const userId = 1 + (i % 17);
    const episodeId = 1000 + i;
    const features = Array.from({ length: SERVING_DIM }, () => random());
    const affinity = features[driver]!;
    const p = i / rows < invertBefore ? 1 - affinity : affinity;
    impressions.push({
      servedAt: new Date(servedAt),
      id,
      requestId: `${tag}${i}`,
      userId,
      position: i % 10,
      episodeId,
      seriesId: 1,
      source: 'hot',
      score: 1,
      features,
    });
    const plays = random() < p;
    const watchedMs = plays ? 4_000 + Math.floor(random() * 50_000) : Math.floor(random() * 2_500);
    const imp = i % 5 === 0 ? null : id;
    const event = (type: 'start' | 'swipe' | 'like', offset: number, positionMs: number) =>
      events.push({
        receivedAt: new Date(servedAt + offset),
        id: `${tag}-${i}-${type}`,
        userId,
        episodeId,
        seriesId: 1,
        type,
        positionMs,
        durationMs: 60_000,
        impression: imp,
        clientAt: new Date(servedAt + offset),
        source: 'ws',
      });
    event('start', 500, 0);
    event('swipe', 500 + watchedMs, watchedMs);
    if (plays && random() < 0.2) event('like', 400 + watchedMs, watchedMs - 100);
  }
  for (let i = 0; i < impressions.length; i += 200)
    await handle.db.insert(feedImpressions).values(impressions.slice(i, i + 200));
  for (let i = 0; i < events.length; i += 200)
    await handle.db.insert(watchEvents).values(events.slice(i, i + 200));
}

function trained(result: TrainRankerResult) {
  assert.ok('version' in result, `trained, not skipped: ${JSON.stringify(result)}`);
  return result;
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`ranker training on ${kind}`, () => {
    let handle: DatabaseHandle;
    let root: string;
    let storage: Storage;

    before(async () => {
      await initBackend('auto');
      handle = await openTestDatabase(kind);
      root = mkdtempSync(path.join(os.tmpdir(), 'binge-train-'));
      storage = createLocalStorage(root);
    });
    after(async () => {
      await handle.close();
      rmSync(root, { recursive: true, force: true });
    });

    const rowsOf = () => handle.db.select().from(rankerModels).orderBy(rankerModels.trainedAt);

    test('too few impressions: the run is skipped with its reason', async () => {
      await seedLog(handle, 'few', 40, 1);
      const result = await trainRanker({ db: handle.db, storage, logger: quiet, now });
      assert.ok('skipped' in result);
      assert.match(result.skipped, /40 usable impressions, fewer than 200/);
      assert.deepEqual(await rowsOf(), []);
      assert.deepEqual(await storage.list(''), []);
    });

    test('a model learns what drives watching, is promoted, announced, and replaces the last', async () => {
      await seedLog(handle, 'w', 560, 2);
      const bus = createMemoryBus({ logger: quiet });
      const heard: RankerModelMessage[] = [];
      await bus.subscribe<RankerModelMessage>(topics.rankerModel, (m) => heard.push(m));

      const first = trained(
        await trainRanker({ db: handle.db, storage, bus, logger: quiet, now, train: quick }),
      );
      assert.equal(first.promoted, true);
      assert.ok(Number(first.metrics.holdoutAuc) > 0.6, `holdout AUC ${first.metrics.holdoutAuc}`);
      assert.equal(first.metrics.rows, 600);
      assert.equal(first.metrics.holdoutRows, 120);
      assert.ok(Number(first.metrics.joinedByTime) > 0 && Number(first.metrics.joinedByToken) > 0);
      assert.ok(Number.isFinite(Number(first.metrics.holdoutLogLoss)));
      assert.deepEqual(heard, [{ version: first.version }]);
      const [row] = await rowsOf();
      assert.equal(row!.status, 'active');
      assert.equal(row!.version, first.version);
      assert.equal(row!.activatedAt?.getTime(), now.getTime());
      // The stored artifact is the model, and scores what drives watching higher.
      const model = await loadModelArtifact(storage, row!.storageKey);
      const low = new Float32Array(SERVING_DIM).fill(0.5);
      const high = low.slice();
      low[driver] = 0.05;
      high[driver] = 0.95;
      const [lowScore, highScore] = model.predict(Float32Array.from([...low, ...high]), 2);
      assert.ok(highScore! > lowScore!, `${highScore} > ${lowScore}`);
      assert.equal(model.meta.metrics.holdoutAuc, first.metrics.holdoutAuc);
      model.dispose();

      // The same data again: not worse, so it replaces the first in one transaction.
      const second = trained(
        await trainRanker({ db: handle.db, storage, bus, logger: quiet, now, train: quick }),
      );
      assert.equal(second.promoted, true);
      assert.equal(second.metrics.activeVersion, first.version);
      const statuses = Object.fromEntries((await rowsOf()).map((r) => [r.version, r.status]));
      assert.deepEqual(statuses, { [first.version]: 'retired', [second.version]: 'active' });
      assert.equal(heard.length, 2);
      await bus.close();
    });

    test('a model worse than the active one on the same holdout is not promoted', async () => {
      const worse = await openTestDatabase(kind);
      try {
        // Before the holdout, the world ran the other way: a model trained on it ranks the
        // holdout backwards.
        await seedLog(worse, 'x', 600, 3, 0.8);
        const good = await RankerModel.train(syntheticServingSet(2000, 4), {
          featureNames: SERVING_FEATURES,
          version: 'good',
          ...quick,
        });
        const storageKey = await saveModelArtifact(storage, good);
        good.dispose();
        await worse.db
          .insert(rankerModels)
          .values({ version: 'good', status: 'active', storageKey, activatedAt: now });
        const bus = createMemoryBus({ logger: quiet });
        const heard: unknown[] = [];
        await bus.subscribe(topics.rankerModel, (m) => heard.push(m));
        const result = trained(
          await trainRanker({ db: worse.db, storage, bus, logger: quiet, now, train: quick }),
        );
        assert.equal(result.promoted, false);
        assert.ok(Number(result.metrics.holdoutAuc) < Number(result.metrics.activeHoldoutAuc));
        assert.match(String(result.metrics.rejected), /below the active model/);
        const rows = await worse.db.select().from(rankerModels);
        const statuses = Object.fromEntries(rows.map((r) => [r.version, r.status]));
        assert.deepEqual(statuses, { good: 'active', [result.version]: 'rejected' });
        assert.deepEqual(heard, []);
        // The rejected artifact is kept for inspection.
        const kept = rows.find((r) => r.version === result.version)!;
        (await loadModelArtifact(storage, kept.storageKey)).dispose();
      } finally {
        await worse.close();
      }
    });

    test('an aborted run stores nothing', async () => {
      const before = (await rowsOf()).length;
      const controller = new AbortController();
      controller.abort(new Error('shutting down'));
      await assert.rejects(
        trainRanker({
          db: handle.db,
          storage,
          logger: quiet,
          now,
          signal: controller.signal,
          train: quick,
        }),
        /shutting down/,
      );
      assert.equal((await rowsOf()).length, before);
    });
  });
}

test('training slots: one job id per slot, the same in every process', () => {
  const a = trainingSlot(new Date('2025-03-10T12:00:00Z'), 60);
  const b = trainingSlot(new Date('2025-03-10T12:59:59.999Z'), 60);
  const c = trainingSlot(new Date('2025-03-10T13:00:00Z'), 60);
  assert.equal(a.jobId, b.jobId);
  assert.notEqual(b.jobId, c.jobId);
  assert.equal(a.start.toISOString(), '2025-03-10T12:00:00.000Z');
  assert.equal(
    trainingSlot(new Date('2025-03-10T12:29:00Z'), 15).start.toISOString(),
    '2025-03-10T12:15:00.000Z',
  );
  assert.throws(
    () => scheduleTraining({ queue: null as unknown as Queue, minutes: 0 }),
    RangeError,
  );
});

async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

for (const kind of ['local', 'bullmq'] as const) {
  test(`scheduled training through the ${kind} queue runs once per slot`, async () => {
    await initBackend('auto');
    const handle = await openTestDatabase(kind === 'local' ? 'pglite' : 'postgres');
    const root = mkdtempSync(path.join(os.tmpdir(), 'binge-train-q-'));
    const prefix = `binge-test-${randomBytes(4).toString('hex')}`;
    const make = (): Queue =>
      kind === 'local'
        ? createLocalQueue({ db: handle.db, name: 'ranker', logger: quiet, pollIntervalMs: 50 })
        : createBullmqQueue({
            url: redisUrl,
            name: 'ranker',
            prefix,
            logger: quiet,
            pollIntervalMs: 50,
          });
    const worker = make();
    const other = make();
    try {
      await seedLog(handle, 'q', 300, 5);
      const storage = createLocalStorage(root);
      worker.work(
        createTrainingProcessor({
          db: handle.db,
          storage,
          logger: quiet,
          now: () => now,
          train: quick,
        }),
      );
      // Two processes run the schedule in the same slot: one job.
      const stops = [
        scheduleTraining({ queue: worker, minutes: 60, now: () => now }),
        scheduleTraining({ queue: other, minutes: 60, now: () => now }),
      ];
      const { jobId } = trainingSlot(now, 60);
      let info = await worker.waitFor(jobId, 60_000).catch(() => null);
      for (let i = 0; i < 100 && !info; i += 1) {
        await new Promise((r) => setTimeout(r, 50));
        info = await worker.waitFor(jobId, 60_000).catch(() => null);
      }
      for (const stop of stops) stop();
      assert.ok(info, 'the slot job ran');
      assert.equal(info.state, 'completed', String(info.failedReason));
      assert.equal(info.name, trainJobName);
      const result = info.result as TrainRankerResult;
      assert.ok('version' in result && result.promoted);
      const models = await handle.db.select().from(rankerModels);
      assert.equal(models.length, 1);
      assert.equal(
        (await handle.db.select().from(rankerModels).where(eq(rankerModels.status, 'active')))
          .length,
        1,
      );

      // A job of another name fails with a coded reason.
      const { id } = await other.add('retrain-everything', {});
      const failed = await worker.waitFor(id, 30_000);
      assert.equal(failed.state, 'failed');
      assert.match(String(failed.failedReason), /no job named "retrain-everything"/);
    } finally {
      await worker.close();
      await other.close();
      await handle.close();
      rmSync(root, { recursive: true, force: true });
      if (kind === 'bullmq') await dropKeys(prefix);
    }
  });
}
