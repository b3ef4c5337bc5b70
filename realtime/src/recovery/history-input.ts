import { randomBytes } from 'node:crypto';
import {
  DEFAULT_IDEMPOTENCY_TTL_SECONDS,
  type AppendOptions,
  type ChannelHistoryOptions,
  type StreamPosition,
} from './history.ts';

/**
 * Checks what a ChannelHistory receives before any adapter touches storage, so both adapters refuse
 * the same inputs the same way. The gateway validates frames first (core protocol payloads); this
 * is the store's own guard against a caller bug ever writing a bad key or offset.
 */
export class InvalidHistoryInputError extends Error {
  override readonly name = 'InvalidHistoryInputError';
}

/** Longest channel name or idempotency key, in characters. */
const MAX_NAME_LENGTH = 256;

export interface CheckedHistoryOptions {
  capacity: number;
  ttlMs: number;
  idempotencyTtlMs: number;
}

export function checkHistoryOptions(options: ChannelHistoryOptions): CheckedHistoryOptions {
  const { capacity, ttlSeconds, idempotencyTtlSeconds = DEFAULT_IDEMPOTENCY_TTL_SECONDS } = options;
  if (!Number.isSafeInteger(capacity) || capacity < 1) {
    throw new InvalidHistoryInputError('capacity must be a positive integer');
  }
  for (const [name, value] of [
    ['ttlSeconds', ttlSeconds],
    ['idempotencyTtlSeconds', idempotencyTtlSeconds],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new InvalidHistoryInputError(`${name} must be a positive number of seconds`);
    }
  }
  return {
    capacity,
    ttlMs: Math.ceil(ttlSeconds * 1000),
    idempotencyTtlMs: Math.ceil(idempotencyTtlSeconds * 1000),
  };
}

/**
 * Braces are refused because the Redis adapter wraps the channel in a hash tag (`{chat:12}`) to
 * keep all of a channel's keys in one cluster slot; a brace inside would cut the tag short.
 */
export function checkChannel(channel: string): string {
  if (
    typeof channel !== 'string' ||
    channel.length === 0 ||
    channel.length > MAX_NAME_LENGTH ||
    /[{}]/.test(channel)
  ) {
    throw new InvalidHistoryInputError(
      `channel must be a non-empty string of at most ${MAX_NAME_LENGTH} characters without braces`,
    );
  }
  return channel;
}

export function checkIdempotencyKey(options: AppendOptions | undefined): string | undefined {
  const key = options?.idempotencyKey;
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_NAME_LENGTH) {
    throw new InvalidHistoryInputError(
      `idempotencyKey must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`,
    );
  }
  return key;
}

export function checkPosition(from: StreamPosition): StreamPosition {
  if (
    typeof from !== 'object' ||
    from === null ||
    typeof from.epoch !== 'string' ||
    !Number.isSafeInteger(from.offset) ||
    from.offset < 0
  ) {
    throw new InvalidHistoryInputError(
      'position must be { epoch: string, offset: non-negative integer }',
    );
  }
  return from;
}

/** The number of publications since() may replay: the smaller of `limit` and the capacity. */
export function recoveryWindow(limit: number | undefined, capacity: number): number {
  if (limit === undefined) return capacity;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new InvalidHistoryInputError('limit must be a non-negative integer');
  }
  return Math.min(limit, capacity);
}

export function checkData(data: Uint8Array | string): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new InvalidHistoryInputError('data must be a Uint8Array or a string');
}

/**
 * A new epoch: 72 random bits in base64url (12 characters), inside the protocol's
 * `[A-Za-z0-9_-]{1,32}`. Random rather than a counter or a clock, because an epoch must never
 * repeat after the state that would have advanced a counter is lost.
 */
export function newEpoch(): string {
  return randomBytes(9).toString('base64url');
}
