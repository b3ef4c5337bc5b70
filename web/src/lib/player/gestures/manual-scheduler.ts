import type { Scheduler } from './gesture-recognizer.ts';

/**
 * A scheduler whose clock moves only when told to, for the gesture tests: `advance(ms)` runs the
 * timers that fall due, in order, and `now` is the time the pointer samples are stamped with.
 */
export interface ManualScheduler extends Scheduler {
  readonly now: number;
  advance(ms: number): void;
  readonly pending: number;
}

export function createManualScheduler(): ManualScheduler {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    get now() {
      return now;
    },
    get pending() {
      return timers.size;
    },
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(ms, 0), callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        let due: [number, { at: number; callback: () => void }] | null = null;
        for (const entry of timers) {
          if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry;
        }
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
  };
}
