/**
 * The job queue: BullMQ over Redis when scaled, an in-process runner backed by the database when
 * embedded. Both run the same processor functions. Jobs are durable: queued jobs survive a restart.
 */
export interface JobContext<T> {
  id: string;
  name: string;
  data: T;
  /** 1 on the first run. */
  attempt: number;
  /** Reports progress in 0..1; persisted where the adapter can. */
  updateProgress(progress: number): Promise<void>;
  /** Aborted when the process shuts down: stop work, clean up, throw; the job is run again later. */
  signal: AbortSignal;
}

export type Processor<T = unknown, R = unknown> = (job: JobContext<T>) => Promise<R>;

export interface AddJobOptions {
  /** Deduplicates: adding a job whose id exists returns the existing job. */
  jobId?: string;
  /** Total tries before the job is failed (default 1). */
  attempts?: number;
}

export type JobState = 'waiting' | 'active' | 'completed' | 'failed';

export interface JobInfo<T = unknown, R = unknown> {
  id: string;
  name: string;
  data: T;
  state: JobState;
  attempts: number;
  progress: number;
  result: R | null;
  failedReason: string | null;
}

export interface Queue {
  readonly kind: 'local' | 'bullmq';
  readonly name: string;
  add<T>(name: string, data: T, options?: AddJobOptions): Promise<{ id: string }>;
  /** Starts working jobs with this processor (one processor per queue). */
  work(processor: Processor, options?: { concurrency?: number }): void;
  getJob(id: string): Promise<JobInfo | null>;
  /**
   * Moves a failed job back to waiting with its attempts reset, so it gets its full attempts
   * again; returns false when the job does not exist or is not failed. Its id, name and data are
   * kept, which is what lets a caller with deterministic ids re-run failed work.
   */
  retry(id: string): Promise<boolean>;
  /** Resolves when the job is completed or failed (tests and CLI tools). */
  waitFor(id: string, timeoutMs?: number): Promise<JobInfo>;
  /**
   * Stops taking jobs. Active jobs are aborted through their signal and go back to waiting, so
   * nothing queued is lost; waiting jobs stay queued for the next start.
   */
  close(): Promise<void>;
}

export const queueNames = {
  media: 'media',
  /** The feed ranker's training job (`train`, feed-ranker/src/training/train-job.ts). */
  ranker: 'ranker',
} as const;

/** Payload of the `transcode` job on the media queue. */
export interface TranscodeJobData {
  episodeId: number;
  /** Storage key of the uploaded or generated source file. */
  sourceKey: string;
}
