import type { ErrorCode } from '../protocol/errors.ts';

/** The refusals of the discussion stores, each named by its HTTP API error code. */
export type DiscussionErrorCode = Extract<
  ErrorCode,
  | 'EPISODE_NOT_FOUND'
  | 'SERIES_NOT_FOUND'
  | 'COMMENT_NOT_FOUND'
  | 'REVIEW_NOT_FOUND'
  | 'REPLY_TARGET_INVALID'
  | 'COMMENT_GONE'
  | 'FORBIDDEN'
  | 'IDEMPOTENCY_KEY_REUSED'
>;

/**
 * An expected refusal (a missing episode, someone else's comment...). Malformed arguments (an id
 * of 0, a limit of -1) are RangeErrors instead: the API's schemas keep them out, so reaching the
 * store with one is a bug, not a user's mistake.
 */
export class DiscussionError extends Error {
  override readonly name = 'DiscussionError';
  constructor(
    readonly code: DiscussionErrorCode,
    message: string,
  ) {
    super(message);
  }
}
