import type {
  AppendOptions,
  AppendResult,
  ChannelHistory,
  ChannelHistoryOptions,
  Publication,
  SinceResult,
  StreamPosition,
} from './history.ts';
import {
  checkChannel,
  checkData,
  checkHistoryOptions,
  checkIdempotencyKey,
  checkPosition,
  newEpoch,
  recoveryWindow,
} from './history-input.ts';

export interface MemoryHistoryOptions extends ChannelHistoryOptions {
  /** Milliseconds clock for TTLs; Date.now by default. */
  now?: () => number;
}

interface Stream {
  epoch: string;
  top: number;
  /** The newest publications, oldest first: at most `capacity`, the last one at `top`. */
  entries: Buffer[];
  /** When the stream was created or last appended to; it expires `ttlMs` after. */
  touchedAt: number;
}

interface Remembered {
  epoch: string;
  offset: number;
  expiresAt: number;
}

/**
 * The in-process history of the embedded path. Operations run synchronously inside each call, so
 * offset assignment needs no lock. Expiry is lazy (no timer): an expired stream is dropped when
 * next touched, and each append sweeps expired streams and idempotency keys from the front of
 * their maps, which are kept in expiry order by re-inserting on every touch.
 */
export function createMemoryHistory(options: MemoryHistoryOptions): ChannelHistory {
  const { capacity, ttlMs, idempotencyTtlMs } = checkHistoryOptions(options);
  const now = options.now ?? Date.now;
  const streams = new Map<string, Stream>();
  const remembered = new Map<string, Remembered>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new Error('channel history is closed');
  }

  function sweep(at: number): void {
    for (const [channel, stream] of streams) {
      if (at - stream.touchedAt < ttlMs) break;
      streams.delete(channel);
    }
    for (const [key, entry] of remembered) {
      if (at < entry.expiresAt) break;
      remembered.delete(key);
    }
  }

  /** The live stream of a channel, born with a new epoch when absent or expired. */
  function streamOf(channel: string, at: number): Stream {
    const existing = streams.get(channel);
    if (existing && at - existing.touchedAt < ttlMs) return existing;
    streams.delete(channel);
    const stream: Stream = { epoch: newEpoch(), top: 0, entries: [], touchedAt: at };
    streams.set(channel, stream);
    return stream;
  }

  return {
    kind: 'memory',

    async append(
      channel: string,
      data: Uint8Array | string,
      appendOptions?: AppendOptions,
    ): Promise<AppendResult> {
      checkChannel(channel);
      const idempotencyKey = checkIdempotencyKey(appendOptions);
      // A copy, so the caller may reuse its buffer.
      const bytes = Buffer.from(checkData(data));
      assertOpen();
      const at = now();
      sweep(at);
      const rememberedKey =
        idempotencyKey === undefined ? undefined : `${channel}\u0000${idempotencyKey}`;
      if (rememberedKey !== undefined) {
        const prior = remembered.get(rememberedKey);
        if (prior && at < prior.expiresAt) {
          return { epoch: prior.epoch, offset: prior.offset, duplicate: true };
        }
      }
      const stream = streamOf(channel, at);
      stream.top += 1;
      stream.entries.push(bytes);
      if (stream.entries.length > capacity) stream.entries.shift();
      stream.touchedAt = at;
      // Re-insert at the back: the map stays ordered by touchedAt for sweep().
      streams.delete(channel);
      streams.set(channel, stream);
      if (rememberedKey !== undefined) {
        remembered.set(rememberedKey, {
          epoch: stream.epoch,
          offset: stream.top,
          expiresAt: at + idempotencyTtlMs,
        });
      }
      return { epoch: stream.epoch, offset: stream.top, duplicate: false };
    },

    async position(channel: string): Promise<StreamPosition> {
      checkChannel(channel);
      assertOpen();
      const stream = streamOf(channel, now());
      return { epoch: stream.epoch, offset: stream.top };
    },

    async since(channel: string, from: StreamPosition, limit?: number): Promise<SinceResult> {
      checkChannel(channel);
      checkPosition(from);
      const window = recoveryWindow(limit, capacity);
      assertOpen();
      const { epoch, top, entries } = streamOf(channel, now());
      const missed = top - from.offset;
      if (from.epoch !== epoch || missed < 0 || missed > window || missed > entries.length) {
        return { kind: 'refetch', epoch, offset: top };
      }
      const publications: Publication[] = entries
        .slice(entries.length - missed)
        .map((bytes, i) => ({ offset: from.offset + 1 + i, data: Buffer.from(bytes) }));
      return { kind: 'recovered', epoch, offset: top, publications };
    },

    async close(): Promise<void> {
      closed = true;
      streams.clear();
      remembered.clear();
    },
  };
}
