/**
 * Channel history: the store behind stream recovery (docs/protocol.md "Recovery", the Centrifugo
 * model). Each channel is a stream with an epoch and gapless offsets starting at 1; a reconnecting
 * client gives its last (epoch, offset) and gets exactly the publications it missed, in order, or
 * an explicit refetch when that is no longer possible.
 *
 * Adapters: history-memory.ts (embedded path, one process) and history-redis.ts (Redis Streams,
 * shared by every gateway node). Both pass history.contract.ts.
 */

/** Where a stream stands: its epoch and its newest offset (0 while it holds no publication). */
export interface StreamPosition {
  epoch: string;
  offset: number;
}

export interface Publication {
  offset: number;
  /** The bytes as appended; a string is stored as its UTF-8 bytes and comes back as bytes. */
  data: Uint8Array;
}

export interface AppendOptions {
  /**
   * Makes a retried append harmless (a client resending after a lost ack, `cmid` in the protocol):
   * within the idempotency window the same key on the same channel returns the original position
   * with `duplicate: true` and stores nothing.
   */
  idempotencyKey?: string;
}

export interface AppendResult extends StreamPosition {
  duplicate: boolean;
}

export type SinceResult =
  /**
   * Every publication after the client's offset up to the stream's top, in order, none missing
   * (maybe none at all). `offset` is the top at the time of reading, the client's new position.
   */
  | { kind: 'recovered'; epoch: string; offset: number; publications: Publication[] }
  /**
   * The stream cannot say what the client missed: another epoch, an offset from the future,
   * history trimmed or expired past the client, or more missed than `limit`. The client reloads
   * its state and continues from this position.
   */
  | { kind: 'refetch'; epoch: string; offset: number };

export interface ChannelHistory {
  readonly kind: 'memory' | 'redis';
  /**
   * Assigns the channel's next offset and stores the publication, atomically with respect to every
   * other append on the channel (on every node, for a shared store). Refreshes the channel's TTL.
   */
  append(
    channel: string,
    data: Uint8Array | string,
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /**
   * The current top. An unknown channel is given its epoch here, so the position a fresh
   * subscriber receives stays valid across the channel's first append.
   */
  position(channel: string): Promise<StreamPosition>;
  /**
   * What a client at `from` missed. `limit` caps how many publications may be replayed; beyond it
   * the answer is refetch (the protocol's 1000, MAX_RECOVERY_PUBLICATIONS), never a partial list.
   */
  since(channel: string, from: StreamPosition, limit?: number): Promise<SinceResult>;
  close(): Promise<void>;
}

export interface ChannelHistoryOptions {
  /**
   * Most publications recoverable per channel. The window is exact in both adapters: a client
   * more than `capacity` behind the top is told to refetch even if storage still holds more.
   */
  capacity: number;
  /**
   * Seconds a channel's history lives without an append. When it lapses the channel starts a new
   * epoch, so clients holding the old one refetch. Reads do not extend it.
   */
  ttlSeconds: number;
  /** Seconds an idempotency key is remembered; 600 (10 minutes) by default. */
  idempotencyTtlSeconds?: number;
}

export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 600;
