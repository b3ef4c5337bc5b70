/**
 * Timers as a port, so tests can run the client's clock fast, and a set that owns every timer the
 * client starts: `close()` clears the set, which is how the client guarantees that nothing of it
 * keeps running (or keeps a Node process alive) after it was closed.
 */

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The platform's timers (window's in a browser, Node's in Node). */
export const platformTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/**
 * The longest delay setTimeout honours: 2^31 − 1 ms (HTML "timer initialisation steps", Node's
 * TIMEOUT_MAX); a longer one fires at once. A token valid for a month would hit it.
 */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

export interface Timer {
  cancel(): void;
}

export interface TimerSet {
  /** Runs `callback` once after `ms` (clamped to [0, MAX_TIMER_DELAY_MS]). */
  after(ms: number, callback: () => void): Timer;
  /** Cancels every timer still pending. */
  clear(): void;
  /** Timers started and neither fired nor cancelled. */
  readonly size: number;
}

export function createTimerSet(timers: Timers): TimerSet {
  const pending = new Set<{ handle: unknown }>();
  return {
    after(ms, callback) {
      const delay = Math.min(Math.max(0, Math.floor(ms)), MAX_TIMER_DELAY_MS);
      const entry = { handle: undefined as unknown };
      entry.handle = timers.setTimeout(() => {
        if (!pending.delete(entry)) return;
        callback();
      }, delay);
      pending.add(entry);
      return {
        cancel() {
          if (pending.delete(entry)) timers.clearTimeout(entry.handle);
        },
      };
    },
    clear() {
      for (const entry of pending) timers.clearTimeout(entry.handle);
      pending.clear();
    },
    get size() {
      return pending.size;
    },
  };
}
