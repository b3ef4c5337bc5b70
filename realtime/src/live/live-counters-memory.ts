import {
  checkAtMs,
  checkEpisodeId,
  checkFlush,
  checkLiveOptions,
  type LiveCounters,
  type LiveCountersOptions,
} from './live-counters.ts';
import { LiveCountersClosedError } from './live-error.ts';
import {
  secondOf,
  summarizeWindow,
  windowSecondsAt,
  type LiveDelta,
  type LiveSnapshot,
  type LiveTally,
} from './live-window.ts';

export interface MemoryLiveCounters extends LiveCounters {
  readonly kind: 'memory';
  /** Episodes with state held right now; idle ones are swept, so this tracks live episodes. */
  readonly episodes: number;
}

interface EpisodeState {
  /** second → node → that node's tally for the second. */
  seconds: Map<number, Map<string, LiveTally>>;
  viewers: Map<string, { viewers: number; atMs: number }>;
  lastFlushAtMs: number;
}

/**
 * Live counters in Maps, for the embedded single-process setup, with the same semantics as the
 * Redis adapter: SET per (node, second), gauges that lapse after `viewerTtlMs`, buckets dropped
 * once out of the window. Expiry follows the flushes' `atMs`, since there is no server clock here.
 */
export function createMemoryLiveCounters(options: LiveCountersOptions = {}): MemoryLiveCounters {
  const { windowSeconds, viewerTtlMs } = checkLiveOptions(options);
  /** A bucket is kept one second past the window, for reads made just after the second turns. */
  const keptSeconds = windowSeconds + 1;
  /** Long enough that both every bucket and every gauge of an idle episode have lapsed. */
  const idleMs = Math.max(keptSeconds * 1000, viewerTtlMs) + 1000;
  const episodes = new Map<number, EpisodeState>();
  let lastSweepSecond = Number.NEGATIVE_INFINITY;
  let closed = false;

  /** Walks every episode, so at most once a second of flush time: O(episodes) per second. */
  function sweep(atMs: number): void {
    const second = secondOf(atMs);
    if (second <= lastSweepSecond) return;
    lastSweepSecond = second;
    for (const [episodeId, state] of episodes) {
      if (state.lastFlushAtMs + idleMs <= atMs) episodes.delete(episodeId);
    }
  }

  function prune(state: EpisodeState, atMs: number): void {
    const oldest = secondOf(atMs) - keptSeconds;
    for (const second of state.seconds.keys()) {
      if (second < oldest) state.seconds.delete(second);
    }
    for (const [node, gauge] of state.viewers) {
      if (gauge.atMs + viewerTtlMs <= atMs) state.viewers.delete(node);
    }
  }

  return {
    kind: 'memory',

    get episodes() {
      return episodes.size;
    },

    async flush(nodeId: string, episodeId: number, delta: LiveDelta, atMs: number): Promise<void> {
      const { viewers, ...tally } = checkFlush(nodeId, episodeId, delta, atMs);
      if (closed) throw new LiveCountersClosedError('memory');
      sweep(atMs);
      let state = episodes.get(episodeId);
      if (!state) {
        state = { seconds: new Map(), viewers: new Map(), lastFlushAtMs: atMs };
        episodes.set(episodeId, state);
      }
      state.lastFlushAtMs = Math.max(state.lastFlushAtMs, atMs);
      const second = secondOf(atMs);
      let nodes = state.seconds.get(second);
      if (!nodes) {
        nodes = new Map();
        state.seconds.set(second, nodes);
      }
      nodes.set(nodeId, tally);
      const gauge = state.viewers.get(nodeId);
      if (!gauge || atMs >= gauge.atMs) state.viewers.set(nodeId, { viewers, atMs });
      prune(state, state.lastFlushAtMs);
    },

    async read(episodeId: number, atMs: number): Promise<LiveSnapshot> {
      checkEpisodeId(episodeId);
      checkAtMs(atMs);
      if (closed) throw new LiveCountersClosedError('memory');
      const state = episodes.get(episodeId);
      const tallies: LiveTally[] = [];
      let viewersNow = 0;
      if (state) {
        for (const second of windowSecondsAt(atMs, windowSeconds)) {
          for (const tally of state.seconds.get(second)?.values() ?? []) tallies.push(tally);
        }
        for (const gauge of state.viewers.values()) {
          if (gauge.atMs + viewerTtlMs > atMs) viewersNow += gauge.viewers;
        }
      }
      return summarizeWindow(tallies, viewersNow, windowSeconds);
    },

    async close(): Promise<void> {
      closed = true;
      episodes.clear();
    },
  };
}
