import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JobContext, Queue } from './queue.ts';
import { InvalidJobError, JobNotFoundError, JobWaitTimeoutError } from './queue-error.ts';

export interface QueueFixture {
  /** A new Queue instance over the same store; two calls with one name simulate a restart. */
  make(name: string): Queue;
  cleanup(): Promise<void>;
}

/** A promise with its resolver, so a processor and a test can hand each other the turn. */
function signal<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** One suite for every Queue adapter; each test uses its own queue name. */
export function queueContract(adapter: string, makeFixture: () => Promise<QueueFixture>): void {
  describe(`queue contract: ${adapter}`, () => {
    let fixture: QueueFixture;
    const open: Queue[] = [];
    let n = 0;
    const queueName = (label: string) => `${label}-${++n}`;
    const make = (name: string) => {
      const queue = fixture.make(name);
      open.push(queue);
      return queue;
    };
    before(async () => {
      fixture = await makeFixture();
    });
    after(async () => {
      await Promise.all(open.map((queue) => queue.close()));
      await fixture.cleanup();
    });

    test('a job is processed and its result is kept', async () => {
      const queue = make(queueName('basic'));
      assert.equal(queue.name.startsWith('basic-'), true);
      const seen: JobContext<unknown>[] = [];
      queue.work(async (job) => {
        seen.push(job);
        return { doubled: (job.data as { n: number }).n * 2 };
      });
      const { id } = await queue.add('double', { n: 21 });
      const info = await queue.waitFor(id, 20_000);
      assert.deepEqual(info, {
        id,
        name: 'double',
        data: { n: 21 },
        state: 'completed',
        attempts: 1,
        progress: 0,
        result: { doubled: 42 },
        failedReason: null,
      });
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.id, id);
      assert.equal(seen[0]?.attempt, 1);
      assert.equal(seen[0]?.signal.aborted, false);
    });

    test('a processor returning nothing completes with a null result', async () => {
      const queue = make(queueName('void'));
      queue.work(async () => undefined);
      const { id } = await queue.add('noop', {});
      const info = await queue.waitFor(id, 20_000);
      assert.equal(info.state, 'completed');
      assert.equal(info.result, null);
    });

    test('adding a job id twice keeps the first job and runs it once', async () => {
      const queue = make(queueName('dedupe'));
      // Ids with ':' and integer-like ids must work too (BullMQ refuses both raw).
      for (const jobId of ['transcode:12', '42', 'plain']) {
        const first = await queue.add('transcode', { v: 1 }, { jobId });
        const second = await queue.add('transcode', { v: 2 }, { jobId });
        assert.deepEqual(first, { id: jobId });
        assert.deepEqual(second, { id: jobId });
      }
      const runs: string[] = [];
      queue.work(async (job) => {
        runs.push(job.id);
        return job.data;
      });
      for (const jobId of ['transcode:12', '42', 'plain']) {
        const info = await queue.waitFor(jobId, 20_000);
        assert.equal(info.id, jobId);
        assert.deepEqual(info.result, { v: 1 });
      }
      assert.deepEqual([...runs].sort(), ['42', 'plain', 'transcode:12']);
      // Still deduplicated once completed.
      assert.deepEqual(await queue.add('transcode', { v: 3 }, { jobId: 'plain' }), { id: 'plain' });
      assert.deepEqual((await queue.getJob('plain'))?.data, { v: 1 });
    });

    test('a failing job is retried and then succeeds', async () => {
      const queue = make(queueName('retry'));
      const attempts: number[] = [];
      queue.work(async (job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error(`flaky ${job.attempt}`);
        return 'finally';
      });
      const { id } = await queue.add('flaky', {}, { attempts: 3 });
      const info = await queue.waitFor(id, 20_000);
      assert.equal(info.state, 'completed');
      assert.equal(info.result, 'finally');
      assert.equal(info.attempts, 3);
      assert.equal(info.failedReason, null);
      assert.deepEqual(attempts, [1, 2, 3]);
    });

    test('a job fails after its last attempt with the error message as reason', async () => {
      const queue = make(queueName('fail'));
      let runs = 0;
      queue.work(async () => {
        runs += 1;
        throw new Error('source file is not a video');
      });
      const { id } = await queue.add('broken', { sourceKey: 'x' }, { attempts: 2 });
      const info = await queue.waitFor(id, 20_000);
      assert.equal(info.state, 'failed');
      assert.equal(info.failedReason, 'source file is not a video');
      assert.equal(info.attempts, 2);
      assert.equal(info.result, null);
      assert.equal(runs, 2);
    });

    test('a job without attempts is tried once', async () => {
      const queue = make(queueName('once'));
      let runs = 0;
      queue.work(async () => {
        runs += 1;
        throw new Error('nope');
      });
      const { id } = await queue.add('broken', {});
      assert.equal((await queue.waitFor(id, 20_000)).state, 'failed');
      assert.equal(runs, 1);
    });

    test('retry() runs a failed job again from its first attempt', async () => {
      const queue = make(queueName('retry-failed'));
      const attempts: number[] = [];
      queue.work(async (job) => {
        attempts.push(job.attempt);
        if (attempts.length === 1) {
          await job.updateProgress(0.5);
          throw new Error('source not rendered yet');
        }
        return 'second run';
      });
      const jobId = 'transcode:7';
      await queue.add('transcode', { episodeId: 7 }, { jobId, attempts: 1 });
      const failed = await queue.waitFor(jobId, 20_000);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.failedReason, 'source not rendered yet');
      assert.equal(failed.progress, 0.5);

      assert.equal(await queue.retry(jobId), true);
      const info = await queue.waitFor(jobId, 20_000);
      assert.deepEqual(info, {
        id: jobId,
        name: 'transcode',
        data: { episodeId: 7 },
        state: 'completed',
        attempts: 1,
        progress: 0,
        result: 'second run',
        failedReason: null,
      });
      assert.deepEqual(attempts, [1, 1], 'the retried run is a first attempt again');
    });

    test('a failed job retried after a restart waits for the next processor', async () => {
      const name = queueName('retry-restart');
      const first = make(name);
      first.work(async () => {
        throw new Error('ffmpeg crashed');
      });
      const { id } = await first.add('transcode', { episodeId: 8 }, { jobId: '8' });
      assert.equal((await first.waitFor(id, 20_000)).state, 'failed');
      await first.close();

      const restarted = make(name);
      assert.equal(await restarted.retry(id), true);
      assert.deepEqual(await restarted.getJob(id), {
        id,
        name: 'transcode',
        data: { episodeId: 8 },
        state: 'waiting',
        attempts: 0,
        progress: 0,
        result: null,
        failedReason: null,
      });
      restarted.work(async (job) => job.attempt);
      const info = await restarted.waitFor(id, 20_000);
      assert.equal(info.state, 'completed');
      assert.equal(info.result, 1);
    });

    test('retry() refuses a job that is not failed and changes nothing', async () => {
      const queue = make(queueName('retry-refused'));
      const started = signal();
      const proceed = signal();
      queue.work(async (job) => {
        if (job.name === 'hold') {
          started.resolve();
          await proceed.promise;
        }
        return job.name;
      });
      const completed = await queue.add('done', {});
      assert.equal((await queue.waitFor(completed.id, 20_000)).state, 'completed');
      const active = await queue.add('hold', {});
      await started.promise;
      // No processor on this one, so its job stays waiting.
      const idle = make(queueName('retry-idle'));
      const waiting = await idle.add('idle', {});

      const before = {
        completed: await queue.getJob(completed.id),
        active: await queue.getJob(active.id),
        waiting: await idle.getJob(waiting.id),
      };
      assert.equal(before.active?.state, 'active');
      assert.equal(before.waiting?.state, 'waiting');
      assert.equal(await queue.retry(completed.id), false);
      assert.equal(await queue.retry(active.id), false);
      assert.equal(await idle.retry(waiting.id), false);
      assert.equal(await queue.retry('no-such-job'), false);
      assert.equal(await queue.retry(''), false);
      assert.deepEqual(
        {
          completed: await queue.getJob(completed.id),
          active: await queue.getJob(active.id),
          waiting: await idle.getJob(waiting.id),
        },
        before,
      );
      assert.equal(await queue.getJob('no-such-job'), null);
      proceed.resolve();
      assert.equal((await queue.waitFor(active.id, 20_000)).result, 'hold');
    });

    test('progress is persisted and readable while the job runs', async () => {
      const queue = make(queueName('progress'));
      const reported = signal();
      const proceed = signal();
      queue.work(async (job) => {
        await job.updateProgress(0.25);
        await assert.rejects(job.updateProgress(1.5), InvalidJobError);
        await assert.rejects(job.updateProgress(Number.NaN), InvalidJobError);
        reported.resolve();
        await proceed.promise;
        await job.updateProgress(0.75);
        return 'ok';
      });
      const { id } = await queue.add('encode', {});
      await reported.promise;
      const running = await queue.getJob(id);
      assert.equal(running?.state, 'active');
      assert.equal(running?.progress, 0.25);
      assert.equal(running?.attempts, 1);
      proceed.resolve();
      const done = await queue.waitFor(id, 20_000);
      assert.equal(done.state, 'completed');
      assert.equal(done.progress, 0.75);
    });

    test('concurrency runs several jobs at once', async () => {
      const queue = make(queueName('concurrency'));
      let runningNow = 0;
      let peak = 0;
      const bothStarted = signal();
      queue.work(
        async () => {
          runningNow += 1;
          peak = Math.max(peak, runningNow);
          if (runningNow === 2) bothStarted.resolve();
          // Each job waits until two run together: with concurrency 1 this would never finish.
          await bothStarted.promise;
          runningNow -= 1;
          return null;
        },
        { concurrency: 2 },
      );
      const a = await queue.add('a', {});
      const b = await queue.add('b', {});
      await queue.waitFor(a.id, 20_000);
      await queue.waitFor(b.id, 20_000);
      assert.equal(peak, 2);
    });

    test('jobs added before work() is called are kept and run later, even by a new instance', async () => {
      const name = queueName('early');
      const producer = make(name);
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await producer.add('early', { i })).id);
      for (const id of ids) assert.equal((await producer.getJob(id))?.state, 'waiting');
      await producer.close();
      const consumer = make(name);
      consumer.work(async (job) => (job.data as { i: number }).i);
      for (const [i, id] of ids.entries()) {
        const info = await consumer.waitFor(id, 20_000);
        assert.equal(info.state, 'completed');
        assert.equal(info.result, i);
      }
    });

    test('close() aborts an active job, which waits again and a restarted queue finishes it', async () => {
      const name = queueName('shutdown');
      const first = make(name);
      const started = signal();
      let abortSeen = false;
      first.work(async (job) => {
        started.resolve();
        await new Promise<void>((_, reject) => {
          job.signal.addEventListener('abort', () => {
            abortSeen = true;
            reject(new Error('aborted by shutdown'));
          });
        });
      });
      const { id } = await first.add('transcode', { episodeId: 3 }, { attempts: 1 });
      await started.promise;
      await first.close();
      assert.equal(abortSeen, true);

      const restarted = make(name);
      const waiting = await restarted.getJob(id);
      assert.equal(waiting?.state, 'waiting');
      assert.equal(waiting?.attempts, 0, 'the interrupted run is not counted');
      const attempts: number[] = [];
      restarted.work(async (job) => {
        attempts.push(job.attempt);
        return { episodeId: (job.data as { episodeId: number }).episodeId, done: true };
      });
      const info = await restarted.waitFor(id, 20_000);
      assert.equal(info.state, 'completed');
      assert.deepEqual(info.result, { episodeId: 3, done: true });
      assert.deepEqual(attempts, [1]);
    });

    test('getJob and waitFor on an unknown id', async () => {
      const queue = make(queueName('unknown'));
      assert.equal(await queue.getJob('no-such-job'), null);
      await assert.rejects(queue.waitFor('no-such-job', 1000), JobNotFoundError);
    });

    test('waitFor gives up with a coded error when the job does not finish in time', async () => {
      const queue = make(queueName('timeout'));
      const { id } = await queue.add('never-worked', {});
      await assert.rejects(queue.waitFor(id, 100), JobWaitTimeoutError);
    });

    test('invalid input is refused with a coded error', async () => {
      const queue = make(queueName('invalid'));
      await assert.rejects(queue.add('', {}), InvalidJobError);
      await assert.rejects(queue.add('x', undefined), InvalidJobError);
      await assert.rejects(queue.add('x', { n: 1n }), InvalidJobError);
      await assert.rejects(queue.add('x', {}, { attempts: 0 }), InvalidJobError);
      await assert.rejects(queue.add('x', {}, { attempts: 1.5 }), InvalidJobError);
      await assert.rejects(queue.add('x', {}, { jobId: '' }), InvalidJobError);
      assert.throws(() => queue.work(async () => null, { concurrency: 0 }), InvalidJobError);
    });
  });
}
