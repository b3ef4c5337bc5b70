import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { queueJobs } from '../db/schema.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { checkJobInput, checkProgress, encodeJobResult } from './job-input.ts';
import type { AddJobOptions, JobInfo, JobState, Processor, Queue } from './queue.ts';
import {
  InvalidJobError,
  JobNotFoundError,
  JobWaitTimeoutError,
  QueueClosedError,
} from './queue-error.ts';

export interface LocalQueueOptions {
  db: Database;
  name: string;
  logger?: Logger;
  /** How often the runner looks for jobs added by other processes, and waitFor re-reads (ms). */
  pollIntervalMs?: number;
  /**
   * An active job whose row was not touched for this long belongs to a process that died; it is
   * put back to waiting (default 30 s). Running jobs are touched every third of this.
   */
  stalledAfterMs?: number;
  /**
   * This runner is the only one on the database (PGlite, which one process opens at a time):
   * every job still active when work() starts was left by a dead process and is put back to
   * waiting at once instead of after stalledAfterMs.
   */
  exclusive?: boolean;
}

type JobRow = typeof queueJobs.$inferSelect;

interface RunningJob {
  controller: AbortController;
  settled: Promise<void>;
}

function toInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    name: row.name,
    data: row.data,
    state: row.state as JobState,
    attempts: row.attempts,
    progress: row.progress,
    result: row.result ?? null,
    failedReason: row.failedReason,
  };
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * The embedded queue: an in-process runner whose jobs live in `queue_jobs`, so work queued before
 * a restart runs after it. Claiming uses `for update skip locked`, so several runners on one
 * PostgreSQL never take the same job; on PGlite (one connection) it is simply serial.
 */
export function createLocalQueue(options: LocalQueueOptions): Queue {
  const { db, name } = options;
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidJobError('Queue name must be a non-empty string');
  }
  const logger = options.logger ?? createLogger({ level: 'warn', name: `queue:${name}` });
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const stalledAfterMs = options.stalledAfterMs ?? 30_000;
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const running = new Map<string, RunningJob>();
  let processor: Processor | undefined;
  let concurrency = 1;
  let closed = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let started: Promise<void> | undefined;
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;

  async function readJob(id: string): Promise<JobRow | undefined> {
    const rows = await db
      .select()
      .from(queueJobs)
      .where(and(eq(queueJobs.id, id), eq(queueJobs.queue, name)));
    return rows[0];
  }

  async function claim(): Promise<JobRow | undefined> {
    const rows = await db
      .update(queueJobs)
      .set({
        state: 'active',
        attempts: sql`${queueJobs.attempts} + 1`,
        failedReason: null,
        updatedAt: sql`now()`,
      })
      .where(
        eq(
          queueJobs.id,
          sql`(select id from queue_jobs where queue = ${name} and state = 'waiting'
               order by created_at, id limit 1 for update skip locked)`,
        ),
      )
      .returning();
    return rows[0];
  }

  /** Back to waiting without counting the run: it was interrupted, not failed. */
  async function release(id: string): Promise<void> {
    await db
      .update(queueJobs)
      .set({
        state: 'waiting',
        attempts: sql`greatest(${queueJobs.attempts} - 1, 0)`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(queueJobs.id, id), eq(queueJobs.state, 'active')));
  }

  /**
   * Puts jobs of dead runners back to waiting. The run that died counts as an attempt, so a job
   * that kills its process every time ends up failed instead of looping (one extra run allowed,
   * as BullMQ's maxStalledCount of 1).
   */
  async function recoverStalled(all: boolean): Promise<void> {
    const mine = [...running.keys()];
    const stale = all
      ? sql`true`
      : sql`${queueJobs.updatedAt} < now() - make_interval(secs => ${stalledAfterMs / 1000})`;
    const notMine =
      mine.length === 0
        ? sql`true`
        : sql`${queueJobs.id} not in (${sql.join(
            mine.map((id) => sql`${id}`),
            sql`, `,
          )})`;
    const rows = await db
      .update(queueJobs)
      .set({
        state: sql`case when ${queueJobs.attempts} > ${queueJobs.maxAttempts} then 'failed' else 'waiting' end`,
        failedReason: sql`case when ${queueJobs.attempts} > ${queueJobs.maxAttempts}
          then 'stalled: the process running the job stopped' else ${queueJobs.failedReason} end`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(queueJobs.queue, name), eq(queueJobs.state, 'active'), stale, notMine))
      .returning({ id: queueJobs.id, state: queueJobs.state });
    for (const row of rows) {
      logger.warn({ jobId: row.id, state: row.state }, 'recovered a job left active');
      if (row.state === 'failed') events.emit('settled', row.id);
    }
  }

  async function heartbeat(): Promise<void> {
    const ids = [...running.keys()];
    if (ids.length === 0) return;
    await db
      .update(queueJobs)
      .set({ updatedAt: sql`now()` })
      .where(
        and(
          eq(queueJobs.state, 'active'),
          sql`${queueJobs.id} in (${sql.join(
            ids.map((id) => sql`${id}`),
            sql`, `,
          )})`,
        ),
      );
  }

  async function finish(
    row: JobRow,
    outcome: { result: unknown } | { error: unknown },
  ): Promise<void> {
    if ('result' in outcome) {
      let result: unknown;
      try {
        result = encodeJobResult(outcome.result);
      } catch (error) {
        return finish(row, {
          error: new Error(`result is not JSON-serialisable: ${errorMessage(error)}`),
        });
      }
      await db
        .update(queueJobs)
        .set({ state: 'completed', result, failedReason: null, updatedAt: sql`now()` })
        .where(and(eq(queueJobs.id, row.id), eq(queueJobs.state, 'active')));
      return;
    }
    const reason = errorMessage(outcome.error);
    const final = row.attempts >= row.maxAttempts;
    logger.warn(
      { jobId: row.id, attempt: row.attempts, maxAttempts: row.maxAttempts, err: outcome.error },
      final ? 'job failed' : 'job failed, will retry',
    );
    await db
      .update(queueJobs)
      .set({ state: final ? 'failed' : 'waiting', failedReason: reason, updatedAt: sql`now()` })
      .where(and(eq(queueJobs.id, row.id), eq(queueJobs.state, 'active')));
  }

  function run(row: JobRow, work: Processor): void {
    const controller = new AbortController();
    const settled = (async () => {
      let outcome: { result: unknown } | { error: unknown };
      try {
        const result = await work({
          id: row.id,
          name: row.name,
          data: row.data,
          attempt: row.attempts,
          signal: controller.signal,
          updateProgress: async (progress: number) => {
            checkProgress(progress);
            await db
              .update(queueJobs)
              .set({ progress, updatedAt: sql`now()` })
              .where(and(eq(queueJobs.id, row.id), eq(queueJobs.state, 'active')));
          },
        });
        outcome = { result };
      } catch (error) {
        outcome = { error };
      }
      try {
        // A processor that stopped because of shutdown did not fail: the job runs again later.
        if ('error' in outcome && controller.signal.aborted) await release(row.id);
        else await finish(row, outcome);
      } catch (error) {
        logger.error({ err: error, jobId: row.id }, 'could not record the outcome of a job');
      }
    })().finally(() => {
      running.delete(row.id);
      events.emit('settled', row.id);
      if (!closed) void pump();
    });
    running.set(row.id, { controller, settled });
  }

  /** Claims jobs until the concurrency is used up or none is waiting; calls coalesce. */
  function pump(): Promise<void> {
    if (pumping) {
      pumpAgain = true;
      return pumping;
    }
    const current = (async () => {
      do {
        pumpAgain = false;
        while (!closed && processor && running.size < concurrency) {
          const row = await claim();
          if (!row) break;
          if (closed) {
            await release(row.id);
            break;
          }
          run(row, processor);
        }
      } while (pumpAgain && !closed);
    })()
      .catch((error: unknown) => logger.error({ err: error }, 'could not claim a job'))
      // Cleared in a later microtask, never before `pumping` is assigned below, even when the
      // loop finds nothing to do without awaiting.
      .finally(() => {
        if (pumping === current) pumping = undefined;
        // A wake-up that arrived after the loop's last check must not wait for the poll tick.
        if (pumpAgain && !closed) void pump();
      });
    pumping = current;
    return pumping;
  }

  return {
    kind: 'local',
    name,

    async add<T>(jobName: string, data: T, addOptions?: AddJobOptions): Promise<{ id: string }> {
      if (closed) throw new QueueClosedError(name);
      const input = checkJobInput(jobName, data, addOptions);
      const id = input.jobId ?? randomUUID();
      const inserted = await db
        .insert(queueJobs)
        .values({
          id,
          queue: name,
          name: input.name,
          data: input.data,
          maxAttempts: input.attempts,
        })
        .onConflictDoNothing({ target: queueJobs.id })
        .returning({ id: queueJobs.id });
      if (inserted.length === 0) {
        // Job ids are one namespace in the table; refuse rather than alias another queue's job.
        const existing = await readJob(id);
        if (!existing) {
          throw new InvalidJobError(`jobId ${JSON.stringify(id)} is already used by another queue`);
        }
        return { id };
      }
      if (processor && !closed) void pump();
      return { id };
    },

    work(work: Processor, workOptions?: { concurrency?: number }): void {
      if (closed) throw new QueueClosedError(name);
      if (processor) throw new InvalidJobError(`Queue ${name} already has a processor`);
      const wanted = workOptions?.concurrency ?? 1;
      if (!Number.isSafeInteger(wanted) || wanted < 1) {
        throw new InvalidJobError('concurrency must be a positive integer');
      }
      processor = work;
      concurrency = wanted;
      started = (async () => {
        try {
          await recoverStalled(options.exclusive ?? false);
        } catch (error) {
          logger.error({ err: error }, 'could not recover stalled jobs');
        }
        if (closed) return;
        await pump();
        if (closed) return;
        pollTimer = setInterval(() => {
          recoverStalled(false)
            .catch((error: unknown) =>
              logger.error({ err: error }, 'could not recover stalled jobs'),
            )
            .finally(() => void pump());
        }, pollIntervalMs);
        heartbeatTimer = setInterval(
          () => {
            heartbeat().catch((error: unknown) =>
              logger.error({ err: error }, 'could not touch running jobs'),
            );
          },
          Math.max(100, Math.floor(stalledAfterMs / 3)),
        );
      })();
    },

    async getJob(id: string): Promise<JobInfo | null> {
      if (typeof id !== 'string' || id.length === 0) return null;
      const row = await readJob(id);
      return row ? toInfo(row) : null;
    },

    async retry(id: string): Promise<boolean> {
      if (closed) throw new QueueClosedError(name);
      if (typeof id !== 'string' || id.length === 0) return false;
      // One conditional update: a job another caller retried (or that is not failed) is left alone.
      const rows = await db
        .update(queueJobs)
        .set({
          state: 'waiting',
          attempts: 0,
          progress: 0,
          result: null,
          failedReason: null,
          updatedAt: sql`now()`,
        })
        .where(and(eq(queueJobs.id, id), eq(queueJobs.queue, name), eq(queueJobs.state, 'failed')))
        .returning({ id: queueJobs.id });
      if (rows.length === 0) return false;
      if (processor && !closed) void pump();
      return true;
    },

    async waitFor(id: string, timeoutMs = 60_000): Promise<JobInfo> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const row = await readJob(id);
        if (!row) throw new JobNotFoundError(name, id);
        if (row.state === 'completed' || row.state === 'failed') return toInfo(row);
        const left = deadline - Date.now();
        if (left <= 0) throw new JobWaitTimeoutError(name, id, timeoutMs);
        // Wake on a local settle at once; poll for jobs another process is running.
        await new Promise<void>((resolve) => {
          const onSettled = (settledId: string) => {
            if (settledId !== id) return;
            cleanup();
          };
          const timer = setTimeout(() => cleanup(), Math.min(left, pollIntervalMs));
          const cleanup = () => {
            clearTimeout(timer);
            events.off('settled', onSettled);
            resolve();
          };
          events.on('settled', onSettled);
        });
      }
    },

    async close(): Promise<void> {
      if (closed) {
        await Promise.all([...running.values()].map((job) => job.settled));
        return;
      }
      closed = true;
      clearInterval(pollTimer);
      clearInterval(heartbeatTimer);
      await started;
      await pumping;
      for (const job of running.values()) job.controller.abort(new QueueClosedError(name));
      await Promise.all([...running.values()].map((job) => job.settled));
    },
  };
}
