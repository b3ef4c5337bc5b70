import { compareStamps, validateStamp, type HlcStamp } from '../crdt/hlc-stamp.ts';
import { mergeIntoRegister, type LwwRegister } from '../crdt/lww-register.ts';
import type { ProgressData } from '../realtime/payloads.ts';

/**
 * The offline queue of watch progress (DESIGN.md "CRDT-like state": an LWW register per (user,
 * episode); offline changes queue on the client and merge on reconnect). While the socket is down,
 * each episode keeps only its newest write (by HLC stamp, through the register merge of
 * ../crdt/lww-register.ts); on reconnect the writes go out in stamp order and each leaves the queue
 * when the server acknowledges it. The queue is small and bounded, and round-trips through JSON so
 * it survives a reload in localStorage.
 *
 * Pure: the caller stamps writes with its HLC, sends, persists and feeds acknowledgements back.
 */

export interface ProgressWrite {
  readonly episodeId: number;
  readonly positionMs: number;
  readonly durationMs: number;
  readonly stamp: HlcStamp;
}

interface Progress {
  readonly positionMs: number;
  readonly durationMs: number;
}

/** The codes of {@link ProgressQueueError}. */
export const progressQueueErrorCodes = {
  /** A write the app tried to queue breaks the progress schema (a bug in the caller). */
  INVALID_PROGRESS: 'The progress write does not match the progress schema',
  /** The stored queue is not JSON or not the queue's shape; it was discarded. */
  STORED_QUEUE_CORRUPT: 'The stored progress queue is unreadable and was discarded',
  /** Some stored entries were invalid and dropped; the valid ones were kept. */
  STORED_ENTRY_INVALID: 'An entry of the stored progress queue is invalid and was dropped',
} as const;

export type ProgressQueueErrorCode = keyof typeof progressQueueErrorCodes;

export class ProgressQueueError extends Error {
  constructor(
    readonly code: ProgressQueueErrorCode,
    readonly detail: string,
  ) {
    super(`${progressQueueErrorCodes[code]}: ${detail}`);
    this.name = 'ProgressQueueError';
  }
}

export type RecordOutcome =
  /** The write is now the pending one for its episode; `evicted` lists episodes dropped for room. */
  | { readonly kind: 'queued'; readonly evicted: readonly number[] }
  /** A write with a newer stamp is already pending for this episode; this one changes nothing. */
  | { readonly kind: 'superseded' };

export interface ProgressQueue {
  readonly capacity: number;
  readonly size: number;
  /** Coalesces `write` into its episode's pending write (last writer wins by stamp). */
  record(write: ProgressWrite): RecordOutcome;
  /** The pending writes, oldest stamp first: the order to send them in on reconnect. */
  drain(): ProgressWrite[];
  /**
   * The server accepted (or already holds something at least as new as) the write of `episodeId`
   * stamped `stamp`: removes the pending write unless it is newer than `stamp`, so a write recorded
   * while the older one was in flight is not lost. Returns whether a write was removed. A progress
   * publication from another device can be fed here too: its winning stamp makes ours moot.
   */
  acknowledge(episodeId: number, stamp: HlcStamp): boolean;
  get(episodeId: number): ProgressWrite | undefined;
  /** The stored form, for `JSON.stringify` into localStorage. */
  toJSON(): StoredProgressQueue;
}

export interface StoredProgressQueue {
  readonly v: 1;
  readonly entries: ProgressWrite[];
}

export interface ProgressQueueOptions {
  /** Most episodes kept; beyond it the episode with the oldest pending stamp is evicted. */
  capacity?: number;
}

/** The same bounds as ProgressData in ../realtime/payloads.ts (ids are positive int32). */
const maxId = 2_147_483_647;
const maxMediaMs = 86_400_000;
/** Beyond this a stored queue cannot be one this code wrote (capacity × an entry's size, roomy). */
const maxStoredChars = 1_000_000;

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Checks an untrusted write; returns a fresh object holding exactly its fields, or a reason. */
function validateWrite(
  value: unknown,
): { ok: true; write: ProgressWrite } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not an object' };
  }
  const { episodeId, positionMs, durationMs, stamp } = value as Record<string, unknown>;
  if (!isIntegerIn(episodeId, 1, maxId)) return { ok: false, reason: 'episodeId out of range' };
  if (!isIntegerIn(durationMs, 1, maxMediaMs))
    return { ok: false, reason: 'durationMs out of range' };
  if (!isIntegerIn(positionMs, 0, durationMs)) {
    return { ok: false, reason: 'positionMs must be an integer in [0, durationMs]' };
  }
  const checked = validateStamp(stamp);
  if (!checked.ok) return { ok: false, reason: `stamp: ${checked.reason}` };
  return { ok: true, write: { episodeId, positionMs, durationMs, stamp: checked.stamp } };
}

function byStamp(a: ProgressWrite, b: ProgressWrite): number {
  return compareStamps(a.stamp, b.stamp) || a.episodeId - b.episodeId;
}

/** The publish data of a queued write on the user's `progress:<userId>` channel. */
export function progressData(write: ProgressWrite): ProgressData {
  return { eid: write.episodeId, pos: write.positionMs, dur: write.durationMs, hlc: write.stamp };
}

export function createProgressQueue(options: ProgressQueueOptions = {}): ProgressQueue {
  const capacity = options.capacity ?? 200;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }
  const registers = new Map<number, LwwRegister<Progress>>();

  function toWrite(episodeId: number, register: LwwRegister<Progress>): ProgressWrite {
    return { episodeId, ...register.value, stamp: register.stamp };
  }

  function all(): ProgressWrite[] {
    return [...registers].map(([id, register]) => toWrite(id, register)).sort(byStamp);
  }

  return {
    capacity,
    get size() {
      return registers.size;
    },

    record(untrusted) {
      const checked = validateWrite(untrusted);
      if (!checked.ok) throw new ProgressQueueError('INVALID_PROGRESS', checked.reason);
      const { episodeId, positionMs, durationMs, stamp } = checked.write;
      const current = registers.get(episodeId);
      const incoming: LwwRegister<Progress> = { value: { positionMs, durationMs }, stamp };
      const winner = mergeIntoRegister(current, incoming);
      if (winner !== incoming) return { kind: 'superseded' };
      registers.set(episodeId, winner);
      const evicted: number[] = [];
      if (registers.size > capacity) {
        for (const write of all().slice(0, registers.size - capacity)) {
          registers.delete(write.episodeId);
          evicted.push(write.episodeId);
        }
      }
      return { kind: 'queued', evicted };
    },

    drain: all,

    acknowledge(episodeId, stamp) {
      const current = registers.get(episodeId);
      if (current === undefined || compareStamps(current.stamp, stamp) > 0) return false;
      registers.delete(episodeId);
      return true;
    },

    get(episodeId) {
      const register = registers.get(episodeId);
      return register === undefined ? undefined : toWrite(episodeId, register);
    },

    toJSON() {
      return { v: 1, entries: all() };
    },
  };
}

export interface RestoredProgressQueue {
  readonly queue: ProgressQueue;
  /** What was discarded, with codes; empty when the stored queue was whole (or absent). */
  readonly errors: readonly ProgressQueueError[];
}

/**
 * Rebuilds a queue from its stored JSON text (`localStorage.getItem`, so null means nothing
 * stored). The text is untrusted (another version of the app, a browser extension, a full disk):
 * it never throws. An unreadable store yields an empty queue and `STORED_QUEUE_CORRUPT`; invalid
 * entries are dropped one by one with `STORED_ENTRY_INVALID` and the valid ones kept, coalesced and
 * bounded exactly as if they had been recorded again.
 */
export function restoreProgressQueue(
  text: string | null,
  options: ProgressQueueOptions = {},
): RestoredProgressQueue {
  const queue = createProgressQueue(options);
  if (text === null) return { queue, errors: [] };
  const corrupt = (detail: string): RestoredProgressQueue => ({
    queue,
    errors: [new ProgressQueueError('STORED_QUEUE_CORRUPT', detail)],
  });
  if (typeof text !== 'string') return corrupt('not a string');
  if (text.length > maxStoredChars) return corrupt(`longer than ${maxStoredChars} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return corrupt('not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return corrupt('not an object');
  }
  const { v, entries } = parsed as Record<string, unknown>;
  if (v !== 1) return corrupt(`unknown version ${JSON.stringify(v) ?? 'undefined'}`);
  if (!Array.isArray(entries)) return corrupt('entries is not an array');
  const errors: ProgressQueueError[] = [];
  entries.forEach((entry: unknown, index) => {
    const checked = validateWrite(entry);
    if (checked.ok) queue.record(checked.write);
    else
      errors.push(
        new ProgressQueueError('STORED_ENTRY_INVALID', `entry ${index}: ${checked.reason}`),
      );
  });
  return { queue, errors };
}
