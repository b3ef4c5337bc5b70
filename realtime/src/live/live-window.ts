/**
 * The arithmetic behind the live engagement counters of `live:<episodeId>` (issue 3: viewers now,
 * likes and danmu per second, average watch position, pushed about once a second). Pure: the
 * gateway tallies its own events here, live-counters.ts stores one tally per (node, second), and a
 * read turns the per-second totals summed over nodes into a snapshot with {@link summarizeWindow}.
 */

/** What one gateway node saw for one episode during one second. */
export interface LiveTally {
  likes: number;
  danmu: number;
  /** Sum of the watch positions reported in the second, so an average can be merged across nodes. */
  positionSumMs: number;
  positionCount: number;
}

/**
 * A node's flush for one second: its tally plus `viewers`, its connections watching the episode
 * right now. Viewers is a gauge, not a counter: it is replaced by each flush, never added up over
 * time, and summed only across nodes.
 */
export interface LiveDelta extends LiveTally {
  viewers: number;
}

/** What `live:<episodeId>` pushes. */
export interface LiveSnapshot {
  viewersNow: number;
  likesPerSecond: number;
  danmuPerSecond: number;
  /** Mean of the positions reported in the window; null when no player reported one. */
  averagePositionMs: number | null;
}

/** Five seconds smooths a once-a-second push without making a burst of likes feel late. */
export const defaultWindowSeconds = 5;

export function emptyTally(): LiveTally {
  return { likes: 0, danmu: 0, positionSumMs: 0, positionCount: 0 };
}

export type LiveEvent =
  { type: 'like' } | { type: 'danmu' } | { type: 'position'; positionMs: number };

/** Adds one event to a node's tally for the current second; returns a new tally. */
export function tallyEvent(tally: LiveTally, event: LiveEvent): LiveTally {
  switch (event.type) {
    case 'like':
      return { ...tally, likes: tally.likes + 1 };
    case 'danmu':
      return { ...tally, danmu: tally.danmu + 1 };
    case 'position':
      if (!Number.isSafeInteger(event.positionMs) || event.positionMs < 0) {
        throw new RangeError(
          `A watch position is a non-negative integer of ms, got ${event.positionMs}`,
        );
      }
      return {
        ...tally,
        positionSumMs: tally.positionSumMs + event.positionMs,
        positionCount: tally.positionCount + 1,
      };
  }
}

/** The second a time falls in; the unit of buckets and of flush idempotency. */
export function secondOf(atMs: number): number {
  return Math.floor(atMs / 1000);
}

/**
 * The seconds a read at `atMs` summarizes: the `windowSeconds` whole seconds before the current
 * one, oldest first. The current second is left out because nodes flush it only when it ends; a
 * half-flushed second would read as a dip in every rate.
 */
export function windowSecondsAt(atMs: number, windowSeconds = defaultWindowSeconds): number[] {
  const current = secondOf(atMs);
  return Array.from({ length: windowSeconds }, (_, i) => current - windowSeconds + i);
}

export function addTallies(a: LiveTally, b: LiveTally): LiveTally {
  return {
    likes: a.likes + b.likes,
    danmu: a.danmu + b.danmu,
    positionSumMs: a.positionSumMs + b.positionSumMs,
    positionCount: a.positionCount + b.positionCount,
  };
}

/**
 * Turns the per-second totals of a window (already summed over nodes; a second nobody flushed is
 * simply absent) into rates over the whole window and the mean position. Rates divide by the
 * window's length, not by the seconds present, so a quiet second lowers the rate as it should.
 */
export function summarizeWindow(
  seconds: readonly LiveTally[],
  viewersNow: number,
  windowSeconds = defaultWindowSeconds,
): LiveSnapshot {
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds < 1) {
    throw new RangeError(`windowSeconds must be a positive integer, got ${windowSeconds}`);
  }
  const total = seconds.reduce(addTallies, emptyTally());
  return {
    viewersNow,
    likesPerSecond: total.likes / windowSeconds,
    danmuPerSecond: total.danmu / windowSeconds,
    averagePositionMs:
      total.positionCount === 0 ? null : Math.round(total.positionSumMs / total.positionCount),
  };
}
