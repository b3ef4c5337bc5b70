import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Queue as BullQueue, ErrorCode, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger, type Logger } from '../log/logger.ts';
import { checkJobInput, checkProgress, encodeJobResult } from './job-input.ts';
import type { AddJobOptions, JobInfo, JobState, Processor, Queue } from './queue.ts';
import {
  InvalidJobError,
  JobNotFoundError,
  JobWaitTimeoutError,
  QueueClosedError,
} from './queue-error.ts';

export interface BullmqQueueOptions {
  url: string;
  name: string;
  /** BullMQ key prefix in Redis (default `binge:queue`). */
  prefix?: string;
  logger?: Logger;
  /** How often waitFor re-reads a job that another process is running (ms). */
  pollIntervalMs?: number;
}

/**
 * Our job ids are free strings; BullMQ refuses custom ids that contain ':' or look like integers
 * (its own ids are integers). '%' escapes both, so the mapping is one-to-one and reversible.
 */
export function encodeBullmqJobId(id: string): string {
  if (/^\d+$/.test(id)) return `%i${id}`;
  return id.replace(/%/g, '%25').replace(/:/g, '%3A');
}

export function decodeBullmqJobId(encoded: string): string {
  if (/^%i\d+$/.test(encoded)) return encoded.slice(2);
  return encoded.replace(/%3A/g, ':').replace(/%25/g, '%');
}

function toState(state: string): JobState | null {
  switch (state) {
    case 'active':
    case 'completed':
    case 'failed':
      return state;
    case 'waiting':
    case 'delayed':
    case 'prioritized':
    case 'waiting-children':
      return 'waiting';
    default:
      return null;
  }
}

/**
 * The scaled queue: BullMQ over Redis, with the local queue's semantics.
 *
 * Shutdown: close() stops the worker fetching, then aborts the signal of every running job. When
 * such a processor throws, the job is moved back to wait with `job.moveToWait(token)` and the
 * processor rethrows BullMQ's WaitingError, which the worker treats as "moved, not failed": the
 * attempt is not counted and the job runs again on the next start. A process that dies without
 * close() leaves its jobs to BullMQ's stalled-job check (lock expiry, then back to wait once).
 */
export function createBullmqQueue(options: BullmqQueueOptions): Queue {
  const { name, url } = options;
  if (typeof name !== 'string' || name.length === 0 || name.includes(':')) {
    throw new InvalidJobError('Queue name must be a non-empty string without ":"');
  }
  const prefix = options.prefix ?? 'binge:queue';
  const logger = options.logger ?? createLogger({ level: 'warn', name: `queue:${name}` });
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const connection = new Redis(url);
  connection.on('error', (error: unknown) => logger.warn({ err: error }, 'queue redis error'));
  const queue = new BullQueue(name, { connection, prefix });
  queue.on('error', (error: unknown) => logger.warn({ err: error }, 'queue error'));

  let worker: Worker | undefined;
  let workerConnection: Redis | undefined;
  const running = new Set<AbortController>();
  let closed = false;
  let closing: Promise<void> | undefined;

  function toInfo(job: Job, state: JobState): JobInfo {
    const progress = typeof job.progress === 'number' ? job.progress : 0;
    return {
      id: decodeBullmqJobId(String(job.id)),
      name: job.name,
      data: job.data as unknown,
      state,
      // attemptsMade counts finished runs; the one in progress counts too, as in the local queue.
      attempts: job.attemptsMade + (state === 'active' ? 1 : 0),
      progress,
      result: state === 'completed' ? ((job.returnvalue as unknown) ?? null) : null,
      failedReason: state === 'failed' || state === 'waiting' ? job.failedReason || null : null,
    };
  }

  async function getJob(id: string): Promise<JobInfo | null> {
    if (typeof id !== 'string' || id.length === 0) return null;
    let job = await queue.getJob(encodeBullmqJobId(id));
    if (!job) return null;
    const state = toState(await job.getState());
    // The hash was read before the state: if the job finished in between, read it again (the
    // finishing script writes finishedOn, result and state together).
    if ((state === 'completed' || state === 'failed') && !job.finishedOn) {
      job = await queue.getJob(encodeBullmqJobId(id));
      if (!job) return null;
    }
    return state ? toInfo(job, state) : null;
  }

  return {
    kind: 'bullmq',
    name,

    async add<T>(jobName: string, data: T, addOptions?: AddJobOptions): Promise<{ id: string }> {
      if (closed) throw new QueueClosedError(name);
      const input = checkJobInput(jobName, data, addOptions);
      // Always a custom id, so every id goes through the same encoding (BullMQ's own are integers).
      const id = input.jobId ?? randomUUID();
      // With an existing jobId BullMQ leaves the job alone and returns it: that is the dedupe.
      await queue.add(input.name, input.data, {
        jobId: encodeBullmqJobId(id),
        attempts: input.attempts,
      });
      return { id };
    },

    work(processor: Processor, workOptions?: { concurrency?: number }): void {
      if (closed) throw new QueueClosedError(name);
      if (worker) throw new InvalidJobError(`Queue ${name} already has a processor`);
      const concurrency = workOptions?.concurrency ?? 1;
      if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
        throw new InvalidJobError('concurrency must be a positive integer');
      }
      // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null on their connection.
      workerConnection = new Redis(url, { maxRetriesPerRequest: null });
      workerConnection.on('error', (error: unknown) =>
        logger.warn({ err: error }, 'worker redis error'),
      );
      worker = new Worker(
        name,
        async (job: Job, token?: string, bullSignal?: AbortSignal) => {
          const controller = new AbortController();
          bullSignal?.addEventListener('abort', () => controller.abort(bullSignal.reason), {
            once: true,
          });
          if (closed) controller.abort(new QueueClosedError(name));
          running.add(controller);
          try {
            if (controller.signal.aborted) throw controller.signal.reason;
            const result = await processor({
              id: decodeBullmqJobId(String(job.id)),
              name: job.name,
              data: job.data as unknown,
              attempt: job.attemptsMade + 1,
              signal: controller.signal,
              updateProgress: async (progress: number) => {
                await job.updateProgress(checkProgress(progress));
              },
            });
            try {
              return encodeJobResult(result);
            } catch (error) {
              throw new Error(`result is not JSON-serialisable: ${(error as Error).message}`);
            }
          } catch (error) {
            if (closed && controller.signal.aborted) {
              await job.moveToWait(token);
              throw new WaitingError();
            }
            throw error instanceof Error ? error : new Error(String(error));
          } finally {
            running.delete(controller);
          }
        },
        { connection: workerConnection, prefix, concurrency },
      );
      worker.on('error', (error: unknown) => logger.warn({ err: error }, 'worker error'));
      worker.on('failed', (job, error) => {
        logger.warn({ err: error, jobId: job?.id }, 'job failed');
        if (job) events.emit('settled', decodeBullmqJobId(String(job.id)));
      });
      worker.on('completed', (job) => events.emit('settled', decodeBullmqJobId(String(job.id))));
    },

    getJob,

    async retry(id: string): Promise<boolean> {
      if (closed) throw new QueueClosedError(name);
      if (typeof id !== 'string' || id.length === 0) return false;
      const job = await queue.getJob(encodeBullmqJobId(id));
      if (!job || (await job.getState()) !== 'failed') return false;
      // BullMQ keeps progress across a retry; the local queue starts it over. Zeroed before the
      // move rather than after it, so it never overwrites what the new run reports.
      await job.updateProgress(0);
      try {
        // Atomic in Redis: moves the job only if it is still in the failed set.
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      } catch (error) {
        // Retried or removed by someone else since getState(): not ours to move.
        const code = (error as { code?: unknown }).code;
        if (code === ErrorCode.JobNotExist || code === ErrorCode.JobNotInState) return false;
        throw error;
      }
      return true;
    },

    async waitFor(id: string, timeoutMs = 60_000): Promise<JobInfo> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const info = await getJob(id);
        if (!info) throw new JobNotFoundError(name, id);
        if (info.state === 'completed' || info.state === 'failed') return info;
        const left = deadline - Date.now();
        if (left <= 0) throw new JobWaitTimeoutError(name, id, timeoutMs);
        await new Promise<void>((resolve) => {
          const onSettled = (settledId: string) => {
            if (settledId === id) cleanup();
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

    close(): Promise<void> {
      if (closing) return closing;
      closed = true;
      closing = (async () => {
        // close() flags the worker as closing before its first await, so it fetches no new job
        // while the running ones are being aborted.
        const workerClosed = worker?.close();
        for (const controller of running) controller.abort(new QueueClosedError(name));
        try {
          await workerClosed;
        } catch (error) {
          logger.warn({ err: error }, 'worker did not close cleanly');
        }
        await queue.close();
        await Promise.all(
          [connection, workerConnection].map(async (redis) => {
            if (!redis) return;
            if (redis.status === 'ready') {
              try {
                await redis.quit();
                return;
              } catch {
                // fall through
              }
            }
            redis.disconnect();
          }),
        );
      })();
      return closing;
    },
  };
}
