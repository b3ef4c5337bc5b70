import type { AddJobOptions } from './queue.ts';
import { InvalidJobError } from './queue-error.ts';

/**
 * Checks what add() receives before any adapter stores it: job data travels as JSON in both the
 * database and Redis, so a value JSON cannot carry is refused here rather than silently mangled.
 */
export interface CheckedJobInput {
  name: string;
  data: unknown;
  jobId: string | undefined;
  attempts: number;
}

export function checkJobInput(
  name: string,
  data: unknown,
  options: AddJobOptions = {},
): CheckedJobInput {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw new InvalidJobError('Job name must be a non-empty string of at most 200 characters');
  }
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(data);
  } catch (error) {
    throw new InvalidJobError(`Job data is not JSON-serialisable: ${(error as Error).message}`);
  }
  if (encoded === undefined) throw new InvalidJobError('Job data is not JSON-serialisable');
  const { jobId, attempts = 1 } = options;
  if (
    jobId !== undefined &&
    (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 200)
  ) {
    throw new InvalidJobError('jobId must be a non-empty string of at most 200 characters');
  }
  if (!Number.isSafeInteger(attempts) || attempts < 1 || attempts > 100) {
    throw new InvalidJobError('attempts must be an integer between 1 and 100');
  }
  return { name, data: JSON.parse(encoded) as unknown, jobId, attempts };
}

export function checkProgress(progress: number): number {
  if (typeof progress !== 'number' || !Number.isFinite(progress) || progress < 0 || progress > 1) {
    throw new InvalidJobError(`Progress must be a number in 0..1, got ${String(progress)}`);
  }
  return progress;
}

/** What a processor returned, as it will be stored: JSON, with undefined meaning null. */
export function encodeJobResult(result: unknown): unknown {
  if (result === undefined) return null;
  const encoded = JSON.stringify(result);
  return encoded === undefined ? null : (JSON.parse(encoded) as unknown);
}
