/**
 * Coded errors of the live counters. Both mark a caller's bug (the gateway built a bad flush or
 * read), never a state of the counters; they are thrown before any storage is touched. When the
 * gateway's error registry exists, these codes join it.
 */
export class InvalidLiveInputError extends Error {
  readonly code = 'INVALID_LIVE_INPUT';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`Invalid live counter input ${field}: ${reason}`);
    this.name = 'InvalidLiveInputError';
  }
}

export class LiveCountersClosedError extends Error {
  readonly code = 'LIVE_COUNTERS_CLOSED';
  constructor(readonly kind: string) {
    super(`The ${kind} live counters are closed`);
    this.name = 'LiveCountersClosedError';
  }
}
