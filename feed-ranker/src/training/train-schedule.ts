import type { Bus } from '@binge/core/bus';
import type { Database } from '@binge/core/db';
import type { Logger } from '@binge/core/log';
import type { JobContext, Processor, Queue } from '@binge/core/queue';
import type { Storage } from '@binge/core/storage';
import { trainRanker, type TrainRankerOptions, type TrainRankerResult } from './train-job.ts';

/**
 * Training through the job queue (`ranker` queue, `train` job): scheduleTraining enqueues one job
 * per time slot under a job id derived from the slot, so every process of a deployment may run the
 * schedule and the run still happens once (the queue deduplicates job ids); whichever process
 * works the queue trains.
 */
export const trainJobName = 'train';

export interface TrainJobData {
  /** Start of the slot the job was scheduled for (ISO 8601). */
  slot: string;
}

export class UnknownRankerJobError extends Error {
  readonly code = 'RANKER_UNKNOWN_JOB';
  constructor(name: string) {
    super(`the ranker queue has no job named ${JSON.stringify(name)}`);
    this.name = 'UnknownRankerJobError';
  }
}

export interface TrainingProcessorDeps {
  db: Database;
  storage: Storage;
  bus?: Bus;
  logger: Logger;
  minRows?: number;
  /** The clock (tests pin it). */
  now?: () => Date;
  train?: TrainRankerOptions['train'];
}

export function createTrainingProcessor(deps: TrainingProcessorDeps): Processor {
  return async (job: JobContext<unknown>): Promise<TrainRankerResult> => {
    if (job.name !== trainJobName) throw new UnknownRankerJobError(job.name);
    return trainRanker({
      db: deps.db,
      storage: deps.storage,
      logger: deps.logger.child({ job: job.id }),
      now: (deps.now ?? (() => new Date()))(),
      signal: job.signal,
      ...(deps.bus ? { bus: deps.bus } : {}),
      ...(deps.minRows === undefined ? {} : { minRows: deps.minRows }),
      ...(deps.train ? { train: deps.train } : {}),
    });
  };
}

/** The slot `at` falls in, for slots of `minutes` since the epoch: its start and its job id. */
export function trainingSlot(at: Date, minutes: number): { start: Date; jobId: string } {
  const size = minutes * 60_000;
  const start = new Date(Math.floor(at.getTime() / size) * size);
  return { start, jobId: `ranker-train:${minutes}:${start.toISOString()}` };
}

export interface ScheduleTrainingOptions {
  queue: Queue;
  /** Minutes between runs (config.rankerTrainMinutes); must be positive. */
  minutes: number;
  logger?: Logger;
  now?: () => Date;
}

/**
 * Enqueues the current slot's job at once (a job id already used is a no-op, so a restart does
 * not train twice in a slot), then each next slot's at its start. Returns the function that stops
 * the schedule.
 */
export function scheduleTraining(options: ScheduleTrainingOptions): () => void {
  const { queue, minutes, logger } = options;
  if (!Number.isFinite(minutes) || minutes <= 0)
    throw new RangeError(`training minutes must be positive, not ${minutes}`);
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const enqueue = async (): Promise<void> => {
    const slot = trainingSlot(now(), minutes);
    const data: TrainJobData = { slot: slot.start.toISOString() };
    try {
      await queue.add(trainJobName, data, { jobId: slot.jobId });
    } catch (error) {
      logger?.warn({ err: error, jobId: slot.jobId }, 'could not enqueue ranker training');
    }
  };
  const next = (): void => {
    if (stopped) return;
    const at = now().getTime();
    const wait = trainingSlot(now(), minutes).start.getTime() + minutes * 60_000 - at;
    timer = setTimeout(() => {
      void enqueue().finally(next);
    }, wait);
    timer.unref();
  };
  void enqueue().finally(next);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
