import { compareStamps, maxStamp, type HlcStamp } from '../crdt/hlc-stamp.ts';
import { HlcDriftError, createHlc } from '../crdt/hlc.ts';
import type { ProgressData } from '../realtime/payloads.ts';
import {
  restoreProgressQueue,
  type ProgressQueue,
  type ProgressQueueError,
  type ProgressWrite,
} from './progress-queue.ts';

/**
 * Watch progress as the client sees it: the device's HLC, the offline queue of its own writes
 * (progress-queue.ts), which writes are on their way to the gateway, and the newest progress known
 * per episode from this device and the others (DESIGN.md "CRDT-like state": an LWW register per
 * user and episode). The client does the sending; this module decides what to send and what a
 * reply or a publication changes.
 */

/** The part of the Web Storage API the queue needs: pass `localStorage`. */
export interface ProgressStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface KnownProgress {
  readonly episodeId: number;
  readonly positionMs: number;
  readonly durationMs: number;
  readonly stamp: HlcStamp;
  /** Written on this device (by `set`), rather than received from the channel or merged. */
  readonly local: boolean;
}

/**
 * After a failed publish of a write:
 * - `retry`: send it again at the next flush (the connection dropped; it is still queued);
 * - `hold`: keep it queued but do not send it again until the episode gets a newer write or the
 *   connection is renewed, so a RATE_LIMITED or INTERNAL answer does not turn into a tight loop;
 * - `drop`: the gateway refused it for good (invalid, not permitted): remove it from the queue.
 */
export type FailedWriteAction = 'retry' | 'hold' | 'drop';

export interface ProgressSync {
  /** Stamps a local write with the HLC, queues it (coalescing per episode) and persists the queue. */
  set(episodeId: number, positionMs: number, durationMs: number): ProgressWrite;
  /**
   * Merges progress from elsewhere (a publication on the `progress:` channel, or state reloaded
   * over HTTP): the stamp advances the HLC unless it is too far ahead (HlcDriftError: the clock is
   * left alone, the data still counts), a queued write it beats leaves the queue, and it becomes
   * the known progress when its stamp is newer. Returns the new known entry, or null if it lost.
   */
  receive(data: ProgressData): KnownProgress | null;
  /** Queued writes to publish now, oldest stamp first; marks them in flight. */
  takeSendable(): ProgressWrite[];
  /** The gateway answered `ok` (stored, or `stale`: a newer stamp was already there). */
  acknowledged(write: ProgressWrite): void;
  failed(write: ProgressWrite, action: FailedWriteAction): void;
  /** A new connection: nothing is in flight and nothing is held any more. */
  reset(): void;
  known(): ReadonlyMap<number, KnownProgress>;
  pending(): ProgressWrite[];
}

export interface ProgressSyncOptions {
  /** The device's HLC node id. */
  node: string;
  /** The physical clock for the HLC (the client passes its server-corrected clock). */
  now: () => number;
  storage?: ProgressStorage;
  storageKey: string;
  capacity?: number;
  onStorageError: (error: unknown) => void;
}

export interface CreatedProgressSync {
  readonly sync: ProgressSync;
  /** What restoring the stored queue discarded (see restoreProgressQueue). */
  readonly restoreErrors: readonly ProgressQueueError[];
}

function read(storage: ProgressStorage | undefined, key: string, onError: (e: unknown) => void) {
  if (storage === undefined) return null;
  try {
    return storage.getItem(key);
  } catch (error) {
    // Storage can throw (Safari private mode, a denied permission): start with an empty queue.
    onError(error);
    return null;
  }
}

export function createProgressSync(options: ProgressSyncOptions): CreatedProgressSync {
  const { storage, storageKey, onStorageError } = options;
  const restored = restoreProgressQueue(
    read(storage, storageKey, onStorageError),
    options.capacity === undefined ? {} : { capacity: options.capacity },
  );
  const queue: ProgressQueue = restored.queue;
  const writes = queue.drain();
  // Resume the clock after the newest stamp this device issued before the reload, so its stamps
  // stay increasing even if the wall clock was set back meanwhile (hlc.ts `last`).
  const last = writes
    .map((write) => write.stamp)
    .reduce<HlcStamp | undefined>(
      (newest, stamp) => (newest === undefined ? stamp : maxStamp(newest, stamp)),
      undefined,
    );
  const hlc = createHlc({
    node: options.node,
    now: options.now,
    ...(last === undefined ? {} : { last }),
  });

  const known = new Map<number, KnownProgress>();
  for (const write of writes) known.set(write.episodeId, { ...write, local: true });
  const inFlight = new Map<number, HlcStamp>();
  const held = new Set<number>();

  function persist(): void {
    if (storage === undefined) return;
    try {
      storage.setItem(storageKey, JSON.stringify(queue.toJSON()));
    } catch (error) {
      onStorageError(error);
    }
  }

  function settle(write: ProgressWrite): void {
    const stamp = inFlight.get(write.episodeId);
    if (stamp !== undefined && compareStamps(stamp, write.stamp) === 0) {
      inFlight.delete(write.episodeId);
    }
  }

  const sync: ProgressSync = {
    set(episodeId, positionMs, durationMs) {
      const write: ProgressWrite = { episodeId, positionMs, durationMs, stamp: hlc.now() };
      queue.record(write);
      persist();
      known.set(episodeId, { ...write, local: true });
      held.delete(episodeId);
      return write;
    },

    receive(data) {
      try {
        hlc.receive(data.hlc);
      } catch (error) {
        if (!(error instanceof HlcDriftError)) throw error;
      }
      if (queue.acknowledge(data.eid, data.hlc)) persist();
      const current = known.get(data.eid);
      if (current !== undefined && compareStamps(data.hlc, current.stamp) <= 0) return null;
      const entry: KnownProgress = {
        episodeId: data.eid,
        positionMs: data.pos,
        durationMs: data.dur,
        stamp: data.hlc,
        local: false,
      };
      known.set(data.eid, entry);
      return entry;
    },

    takeSendable() {
      const sendable: ProgressWrite[] = [];
      for (const write of queue.drain()) {
        if (inFlight.has(write.episodeId) || held.has(write.episodeId)) continue;
        inFlight.set(write.episodeId, write.stamp);
        sendable.push(write);
      }
      return sendable;
    },

    acknowledged(write) {
      settle(write);
      if (queue.acknowledge(write.episodeId, write.stamp)) persist();
    },

    failed(write, action) {
      settle(write);
      if (action === 'hold') held.add(write.episodeId);
      if (action === 'drop' && queue.acknowledge(write.episodeId, write.stamp)) persist();
    },

    reset() {
      inFlight.clear();
      held.clear();
    },

    known: () => new Map(known),
    pending: () => queue.drain(),
  };
  return { sync, restoreErrors: restored.errors };
}
