/** Coded errors shared by every queue adapter, so callers handle them the same way. */
export class InvalidJobError extends Error {
  readonly code = 'INVALID_JOB';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidJobError';
  }
}

export class JobNotFoundError extends Error {
  readonly code = 'JOB_NOT_FOUND';
  constructor(
    readonly queue: string,
    readonly jobId: string,
  ) {
    super(`Job ${JSON.stringify(jobId)} not found in queue ${JSON.stringify(queue)}`);
    this.name = 'JobNotFoundError';
  }
}

export class JobWaitTimeoutError extends Error {
  readonly code = 'JOB_WAIT_TIMEOUT';
  constructor(
    readonly queue: string,
    readonly jobId: string,
    readonly timeoutMs: number,
  ) {
    super(
      `Job ${JSON.stringify(jobId)} in queue ${JSON.stringify(queue)} did not finish within ${timeoutMs} ms`,
    );
    this.name = 'JobWaitTimeoutError';
  }
}

export class QueueClosedError extends Error {
  readonly code = 'QUEUE_CLOSED';
  constructor(readonly queue: string) {
    super(`Queue ${JSON.stringify(queue)} is closed`);
    this.name = 'QueueClosedError';
  }
}
