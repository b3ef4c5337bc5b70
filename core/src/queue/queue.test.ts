import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import type { DatabaseHandle } from '../db/database.ts';
import { queueJobs } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createLogger } from '../log/logger.ts';
import type { Queue } from './queue.ts';
import { queueContract } from './queue.contract.ts';
import { createBullmqQueue, decodeBullmqJobId, encodeBullmqJobId } from './queue-bullmq.ts';
import { InvalidJobError } from './queue-error.ts';
import { createLocalQueue } from './queue-local.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = createLogger({ level: 'silent' });
const kinds = ['pglite', 'postgres'] as const;

for (const kind of kinds) {
  queueContract(`local on ${kind}`, async () => {
    const handle = await openTestDatabase(kind);
    return {
      make: (name) => createLocalQueue({ db: handle.db, name, logger: quiet, pollIntervalMs: 50 }),
      cleanup: () => handle.close(),
    };
  });
}

queueContract('bullmq', async () => {
  const prefix = `binge-test-${randomBytes(4).toString('hex')}`;
  return {
    make: (name) =>
      createBullmqQueue({ url: redisUrl, name, prefix, logger: quiet, pollIntervalMs: 50 }),
    cleanup: async () => {
      // Every key of this run lives under the random prefix; drop them all.
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
    },
  };
});

test('bullmq job ids: the escape is one-to-one and never yields what BullMQ refuses', () => {
  const ids = ['a', '42', '%42', 'transcode:12', 'a%3Ab', '%', '%25', ':', '0', 'x:y:z', '%3A'];
  const encoded = ids.map(encodeBullmqJobId);
  assert.equal(new Set(encoded).size, ids.length);
  for (const [i, id] of ids.entries()) {
    const e = encoded[i]!;
    assert.equal(decodeBullmqJobId(e), id);
    assert.equal(e.includes(':'), false, e);
    assert.notEqual(`${parseInt(e, 10)}`, e, e);
  }
});

for (const kind of kinds) {
  describe(`local queue on ${kind}`, () => {
    let handle: DatabaseHandle;
    const open: Queue[] = [];
    const make = (name: string, extra: { exclusive?: boolean; stalledAfterMs?: number } = {}) => {
      const queue = createLocalQueue({
        db: handle.db,
        name,
        logger: quiet,
        pollIntervalMs: 50,
        ...extra,
      });
      open.push(queue);
      return queue;
    };
    /** What a process killed mid-job leaves behind: the row still active, touched long ago. */
    async function leaveActive(id: string, attempts: number) {
      await handle.db
        .update(queueJobs)
        .set({ state: 'active', attempts, updatedAt: sql`now() - interval '1 hour'` })
        .where(eq(queueJobs.id, id));
    }
    before(async () => {
      handle = await openTestDatabase(kind);
    });
    after(async () => {
      await Promise.all(open.map((queue) => queue.close()));
      await handle.close();
    });

    test('an exclusive runner puts jobs left active by a dead process back at start', async () => {
      const dead = make('crash-exclusive');
      const { id } = await dead.add('transcode', { n: 1 });
      await leaveActive(id, 1);
      await handle.db
        .update(queueJobs)
        .set({ updatedAt: sql`now()` })
        .where(eq(queueJobs.id, id));
      const restarted = make('crash-exclusive', { exclusive: true });
      restarted.work(async (job) => job.attempt);
      const info = await restarted.waitFor(id, 20_000);
      assert.equal(info.state, 'completed');
      assert.equal(info.result, 2, 'the run that died counts as an attempt');
    });

    test('a shared runner recovers a job only once its lease expired', async () => {
      const fresh = make('crash-shared-fresh');
      const { id: freshId } = await fresh.add('transcode', {});
      await leaveActive(freshId, 1);
      await handle.db
        .update(queueJobs)
        .set({ updatedAt: sql`now() + interval '1 hour'` })
        .where(eq(queueJobs.id, freshId));
      const stale = make('crash-shared-stale');
      const { id: staleId } = await stale.add('transcode', {});
      await leaveActive(staleId, 1);

      const runnerFresh = make('crash-shared-fresh', { stalledAfterMs: 60_000 });
      const runnerStale = make('crash-shared-stale', { stalledAfterMs: 60_000 });
      runnerFresh.work(async () => 'ran');
      runnerStale.work(async () => 'ran');
      assert.equal((await runnerStale.waitFor(staleId, 20_000)).result, 'ran');
      // The fresh one still belongs to a live runner somewhere: left alone.
      assert.equal((await runnerFresh.getJob(freshId))?.state, 'active');
    });

    test('a job that kills its process again after recovery ends up failed', async () => {
      const queue = make('crash-loop');
      const { id } = await queue.add('poison', {}, { attempts: 1 });
      // Second death: the recovered run (attempt 2) died as well.
      await leaveActive(id, 2);
      const restarted = make('crash-loop', { exclusive: true });
      let runs = 0;
      restarted.work(async () => {
        runs += 1;
      });
      const info = await restarted.waitFor(id, 20_000);
      assert.equal(info.state, 'failed');
      assert.match(info.failedReason ?? '', /stalled/);
      assert.equal(runs, 0);
    });

    test('two runners on one database never run the same job twice', async () => {
      const a = make('shared');
      const b = make('shared');
      const runs = new Map<string, number>();
      const processor = async (job: { id: string }) => {
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        await new Promise((resolve) => setImmediate(resolve));
        return null;
      };
      a.work(processor, { concurrency: 2 });
      b.work(processor, { concurrency: 2 });
      const ids = [];
      for (let i = 0; i < 12; i++) ids.push((await (i % 2 ? a : b).add('j', { i })).id);
      for (const id of ids) assert.equal((await a.waitFor(id, 20_000)).state, 'completed');
      assert.deepEqual([...runs.values()], Array(12).fill(1));
    });

    test('add() wakes the runner at once, without waiting for a poll tick', async () => {
      // An hour-long poll interval: only the in-process wake-up can get these jobs done.
      const queue = createLocalQueue({
        db: handle.db,
        name: 'wake',
        logger: quiet,
        pollIntervalMs: 3_600_000,
      });
      open.push(queue);
      let releaseFirst!: () => void;
      const firstReleased = new Promise<void>((resolve) => (releaseFirst = resolve));
      let markStarted!: () => void;
      const firstStarted = new Promise<void>((resolve) => (markStarted = resolve));
      queue.work(async (job) => {
        const { i } = job.data as { i: number };
        if (i === 0) {
          markStarted();
          await firstReleased;
        }
        return i;
      });
      const first = await queue.add('j', { i: 0 });
      await firstStarted;
      // Added while the only slot is busy: must run as soon as the slot frees up.
      const second = await queue.add('j', { i: 1 });
      releaseFirst();
      assert.equal((await queue.waitFor(first.id, 10_000)).result, 0);
      assert.equal((await queue.waitFor(second.id, 10_000)).result, 1);
      for (let i = 2; i < 5; i++) {
        const { id } = await queue.add('j', { i });
        assert.equal((await queue.waitFor(id, 10_000)).result, i);
      }
    });

    test('retry() wakes the runner at once, and only retries jobs of its own queue', async () => {
      const queue = createLocalQueue({
        db: handle.db,
        name: 'wake-retry',
        logger: quiet,
        pollIntervalMs: 3_600_000,
      });
      open.push(queue);
      let runs = 0;
      queue.work(async () => {
        runs += 1;
        if (runs === 1) throw new Error('first run fails');
        return runs;
      });
      const { id } = await queue.add('j', {});
      assert.equal((await queue.waitFor(id, 10_000)).state, 'failed');
      assert.equal(await make('wake-retry-other').retry(id), false);
      assert.equal((await queue.getJob(id))?.state, 'failed');
      assert.equal(await queue.retry(id), true);
      assert.equal((await queue.waitFor(id, 10_000)).result, 2);
    });

    test('a job id used by another queue is refused, not aliased', async () => {
      const media = make('ids-a');
      const other = make('ids-b');
      await media.add('x', {}, { jobId: 'same' });
      await assert.rejects(other.add('x', {}, { jobId: 'same' }), InvalidJobError);
      assert.equal(await other.getJob('same'), null);
    });

    test('a result JSON cannot carry fails the job instead of crashing', async () => {
      const queue = make('bad-result');
      queue.work(async () => ({ big: 1n }));
      const { id } = await queue.add('x', {});
      const info = await queue.waitFor(id, 20_000);
      assert.equal(info.state, 'failed');
      assert.match(info.failedReason ?? '', /JSON/);
    });
  });
}
