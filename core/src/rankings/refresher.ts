import type { Logger } from '../log/logger.ts';
import type { RankingStore, RefreshOutcome } from './store.ts';

/**
 * Keeps the ranking boards fresh from inside a process that serves them: the embedded platform,
 * or each API process of the scaled topology. Every `intervalMs` it asks the store to refresh
 * unless the stored boards are younger than 80 % of the interval; with several processes on one
 * PostgreSQL the advisory lock and that age check leave the work to one of them per interval, and
 * if that one stops, the next tick of another takes over. A board is therefore at most about
 * 1.8 intervals old (54 s at the default 30 s) when the refreshes succeed.
 *
 * Nothing runs until start(); stop() waits for a refresh under way, so the database can close
 * right after it.
 */
export interface RankingRefresher {
  /**
   * Refreshes once now, then every interval, each time unless another process is refreshing or
   * did within 80 % of an interval. Idempotent.
   */
  start(): void;
  stop(): Promise<void>;
  /** One refresh now, whatever the boards' age: tests and operators. */
  refresh(now?: Date): Promise<RefreshOutcome>;
  /** Called after each refresh this process made; returns the unsubscribe function. */
  onRefreshed(listener: (outcome: RefreshOutcome & { refreshed: true }) => void): () => void;
}

/** The share of the interval a stored board may be old before a tick recomputes it. */
const FRESH_SHARE = 0.8;

export function createRankingRefresher(options: {
  store: RankingStore;
  /** 0 turns the periodic refresh off (this process only reads the boards). */
  intervalMs: number;
  logger?: Pick<Logger, 'error' | 'debug'>;
  clock?: () => Date;
}): RankingRefresher {
  const { store, intervalMs, logger } = options;
  const clock = options.clock ?? (() => new Date());
  if (!Number.isFinite(intervalMs) || intervalMs < 0)
    throw new RangeError(`intervalMs must be >= 0, got ${intervalMs}`);
  const listeners = new Set<(outcome: RefreshOutcome & { refreshed: true }) => void>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let running: Promise<unknown> | undefined;

  async function run(ifOlderThanMs: number | undefined, now = clock()): Promise<RefreshOutcome> {
    const outcome = await store.refresh({
      now,
      ...(ifOlderThanMs === undefined ? {} : { ifOlderThanMs }),
    });
    if (outcome.refreshed) for (const listener of listeners) listener(outcome);
    return outcome;
  }

  function tick(): void {
    // A refresh slower than the interval is not stacked: the next tick after it ends takes over.
    if (running !== undefined) return;
    running = run(intervalMs * FRESH_SHARE)
      .then((outcome) => logger?.debug({ outcome }, 'rankings refresh'))
      .catch((err: unknown) => logger?.error({ err }, 'rankings refresh failed'))
      .finally(() => {
        running = undefined;
      });
  }

  return {
    start() {
      if (timer !== undefined || intervalMs === 0) return;
      timer = setInterval(tick, intervalMs);
      // The app's onClose stops it; it alone must not keep a finished script alive.
      timer.unref();
      tick();
    },

    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running;
    },

    refresh(now) {
      return run(undefined, now);
    },

    onRefreshed(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
