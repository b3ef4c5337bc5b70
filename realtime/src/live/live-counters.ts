import { isNodeId, nodeIdPattern } from '@binge/core/protocol/crdt/hlc-stamp';
import { InvalidLiveInputError } from './live-error.ts';
import { defaultWindowSeconds, type LiveDelta, type LiveSnapshot } from './live-window.ts';

/**
 * The live-counters port behind `live:<episodeId>` (issue 3; docs "CRDT-like state": counters are
 * per-node increments merged by sum). Every gateway node flushes, once a second and per episode it
 * serves, what it saw in that second; a read sums over nodes. Adapters: live-counters-memory.ts
 * (embedded, one process) and live-counters-redis.ts (every node shares one Redis). Both pass
 * live-counters.contract.ts.
 *
 * Two kinds of state, merged differently:
 * - per-second buckets (likes, danmu, positions): one entry per (episode, second, node), written
 *   with SET semantics. As with core's G-counter, a node owns its entry and the merge never adds
 *   what arrives, so a flush retried after a timeout counts once. A flush is therefore the node's
 *   whole tally for that second, not an increment. Buckets expire shortly after leaving the window.
 * - viewers: a gauge per node, stamped with the flush time. It counts for `viewerTtlMs` after its
 *   node's latest flush, so a killed node drops out within seconds instead of being counted forever.
 *   An older flush (a late retry) never replaces a newer gauge.
 *
 * Times are the callers' `atMs` (wall clock, Unix ms): nodes are expected to be NTP-synced to well
 * within `viewerTtlMs`. Injected, so tests need no sleeping.
 */
export interface LiveCounters {
  readonly kind: 'memory' | 'redis';
  /**
   * Stores `nodeId`'s tally for `episodeId` in the second containing `atMs`, and its viewers gauge
   * as of `atMs`. Idempotent per (node, episode, second): a repeat replaces, never adds.
   * Rejects with InvalidLiveInputError or LiveCountersClosedError before touching storage.
   */
  flush(nodeId: string, episodeId: number, delta: LiveDelta, atMs: number): Promise<void>;
  /** The snapshot as of `atMs`, merged across all nodes; zeros for an episode nobody flushed. */
  read(episodeId: number, atMs: number): Promise<LiveSnapshot>;
  close(): Promise<void>;
}

export interface LiveCountersOptions {
  /** Seconds the rates average over (default 5). */
  windowSeconds?: number;
  /**
   * How long a node's viewers count after its latest flush (default 3000 ms): with flushes once a
   * second, two may be late or lost before the node drops out, and a dead node is gone in 3 s.
   */
  viewerTtlMs?: number;
}

export const defaultViewerTtlMs = 3_000;

export interface CheckedLiveOptions {
  windowSeconds: number;
  viewerTtlMs: number;
}

export function checkLiveOptions(options: LiveCountersOptions): CheckedLiveOptions {
  const { windowSeconds = defaultWindowSeconds, viewerTtlMs = defaultViewerTtlMs } = options;
  // Bounded so a read touches at most a minute of buckets.
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > 60) {
    throw new InvalidLiveInputError('windowSeconds', 'must be an integer from 1 to 60');
  }
  if (!Number.isSafeInteger(viewerTtlMs) || viewerTtlMs < 1) {
    throw new InvalidLiveInputError('viewerTtlMs', 'must be a positive integer');
  }
  return { windowSeconds, viewerTtlMs };
}

/**
 * Episode ids are the catalog's positive integer ids; anything else (a string, 1.5, NaN) would
 * become a storage key nobody reads.
 */
export function checkEpisodeId(episodeId: number): number {
  if (typeof episodeId !== 'number' || !Number.isSafeInteger(episodeId) || episodeId < 1) {
    throw new InvalidLiveInputError('episodeId', 'must be a positive safe integer');
  }
  return episodeId;
}

export function checkAtMs(atMs: number): number {
  if (typeof atMs !== 'number' || !Number.isSafeInteger(atMs) || atMs < 0) {
    throw new InvalidLiveInputError('atMs', 'must be a non-negative integer of Unix ms');
  }
  return atMs;
}

const deltaFields = ['likes', 'danmu', 'positionSumMs', 'positionCount', 'viewers'] as const;

/** Copies only the known fields, so nothing else a caller attached reaches storage. */
export function checkDelta(delta: LiveDelta): LiveDelta {
  if (typeof delta !== 'object' || delta === null) {
    throw new InvalidLiveInputError('delta', 'must be an object');
  }
  for (const field of deltaFields) {
    const value = delta[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new InvalidLiveInputError(`delta.${field}`, 'must be a non-negative safe integer');
    }
  }
  if (delta.positionCount === 0 && delta.positionSumMs !== 0) {
    throw new InvalidLiveInputError('delta.positionSumMs', 'must be 0 when positionCount is 0');
  }
  const { likes, danmu, positionSumMs, positionCount, viewers } = delta;
  return { likes, danmu, positionSumMs, positionCount, viewers };
}

/** Everything a flush needs checked before storage; shared by every adapter. */
export function checkFlush(
  nodeId: string,
  episodeId: number,
  delta: LiveDelta,
  atMs: number,
): LiveDelta {
  if (!isNodeId(nodeId)) {
    throw new InvalidLiveInputError('nodeId', `must match ${nodeIdPattern.source}`);
  }
  checkEpisodeId(episodeId);
  checkAtMs(atMs);
  return checkDelta(delta);
}
