import {
  InvalidStampError,
  assertStamp,
  isNodeId,
  maxCounter,
  maxWallMs,
  nodeIdPattern,
  type HlcStamp,
} from './hlc-stamp.ts';

/**
 * A remote stamp whose wall clock is more than `maxDriftMs` ahead of our physical clock. Accepting
 * it would drag our clock (and every later stamp we issue) into the future, and an LWW write
 * carrying it would beat every honest write until real time caught up. `receive` throws this and
 * leaves the clock untouched; the caller rejects the message with a coded error, and the sender,
 * whose clock is wrong, can resync (for a client, `now` may add an offset learnt from the server).
 */
export class HlcDriftError extends Error {
  readonly code = 'HLC_CLOCK_DRIFT';
  constructor(
    readonly remote: HlcStamp,
    readonly physicalMs: number,
    readonly maxDriftMs: number,
  ) {
    super(
      `Remote HLC stamp from ${JSON.stringify(remote.node)} is ${remote.wallMs - physicalMs} ms ahead of the local clock (max ${maxDriftMs} ms)`,
    );
    this.name = 'HlcDriftError';
  }

  get driftMs(): number {
    return this.remote.wallMs - this.physicalMs;
  }
}

export interface HlcOptions {
  /** This replica's id ({@link nodeIdPattern}); unique per device install or server process. */
  node: string;
  /** The physical clock in ms since the epoch; fractions are floored. */
  now?: () => number;
  maxDriftMs?: number;
  /**
   * The last stamp this node issued before a restart (persisted by the caller), so that stamps stay
   * increasing across restarts even when the wall clock was set back meanwhile.
   */
  last?: HlcStamp;
}

export interface Hlc {
  readonly node: string;
  /** Stamps a local or send event: strictly greater than every stamp issued or received before. */
  now(): HlcStamp;
  /**
   * Merges a remote stamp (a receive event) and returns the stamp of that event, strictly greater
   * than both the remote stamp and everything issued before. Throws {@link InvalidStampError} for a
   * malformed stamp and {@link HlcDriftError} for one too far ahead; the clock is unchanged then.
   */
  receive(remote: unknown): HlcStamp;
  /** The last stamp issued (initially `last`, or wallMs 0 counter 0), for persisting. */
  peek(): HlcStamp;
}

/**
 * A hybrid logical clock after Kulkarni et al. 2014, Fig. 5, with two additions:
 *
 * - Counter overflow: when the counter would pass {@link maxCounter}, the clock moves to the next
 *   millisecond with counter 0 instead of failing. Order is kept (a later wallMs is a greater stamp),
 *   the clock never refuses a local event, and the lead over real time this creates is at most one
 *   millisecond per 65 536 events, which no real node sustains.
 * - Drift bound: a remote stamp more than `maxDriftMs` ahead of the physical clock is rejected
 *   ({@link HlcDriftError}), so one bad clock cannot push every replica into the future.
 */
export function createHlc({ node, now = Date.now, maxDriftMs = 60_000, last }: HlcOptions): Hlc {
  if (!isNodeId(node)) {
    throw new InvalidStampError(`node must match ${nodeIdPattern.source}`);
  }
  if (!Number.isFinite(maxDriftMs) || maxDriftMs < 0) {
    throw new RangeError(`maxDriftMs must be a non-negative number, got ${maxDriftMs}`);
  }
  let wallMs = 0;
  let counter = 0;
  if (last !== undefined) {
    const resumed = assertStamp(last);
    wallMs = resumed.wallMs;
    counter = resumed.counter;
  }

  function physical(): number {
    const ms = Math.floor(now());
    if (!Number.isFinite(ms) || ms < 0 || ms > maxWallMs) {
      throw new RangeError(`The physical clock returned ${ms}, outside [0, ${maxWallMs}]`);
    }
    return ms;
  }

  function issue(nextWall: number, nextCounter: number): HlcStamp {
    if (nextCounter > maxCounter) {
      nextWall += 1;
      nextCounter = 0;
    }
    if (nextWall > maxWallMs) {
      throw new RangeError(`The HLC reached its last millisecond (${maxWallMs})`);
    }
    wallMs = nextWall;
    counter = nextCounter;
    return { wallMs, counter, node };
  }

  return {
    node,
    now() {
      const pt = physical();
      if (pt > wallMs) return issue(pt, 0);
      return issue(wallMs, counter + 1);
    },
    receive(untrusted) {
      const remote = assertStamp(untrusted);
      const pt = physical();
      if (remote.wallMs - pt > maxDriftMs) throw new HlcDriftError(remote, pt, maxDriftMs);
      const nextWall = Math.max(wallMs, remote.wallMs, pt);
      if (nextWall === wallMs && nextWall === remote.wallMs) {
        return issue(nextWall, Math.max(counter, remote.counter) + 1);
      }
      if (nextWall === wallMs) return issue(nextWall, counter + 1);
      if (nextWall === remote.wallMs) return issue(nextWall, remote.counter + 1);
      return issue(nextWall, 0);
    },
    peek() {
      return { wallMs, counter, node };
    },
  };
}
