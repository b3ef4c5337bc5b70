import type { AppendResult, ChannelHistory } from '../recovery/history.ts';

/**
 * The broker: how a publication accepted on one gateway node reaches the subscribers on every node,
 * in order. Channels with history are appended to the channel history (offsets, recovery) and
 * announced to every node that follows the channel; ephemeral channels (live counters) are only
 * announced. Adapters: broker-memory.ts (one process) and broker-redis.ts (Redis Streams for the
 * history, Redis pub/sub for the announcements). Both pass broker.contract.ts.
 *
 * Announcements are at most once: a node whose pub/sub link dropped may miss some. Every
 * announcement of a history channel carries its (epoch, offset), so the follower (relay.ts) sees
 * a gap and reads what it missed from the history, and `onLoss` tells it when to check even
 * without a next announcement.
 */
export interface Announcement {
  channel: string;
  /** Present on history channels. */
  epoch: string | null;
  offset: number | null;
  data: Uint8Array;
}

export type AnnouncementHandler = (announcement: Announcement) => void;

export interface Broker {
  readonly kind: 'memory' | 'redis';
  readonly history: ChannelHistory;
  /**
   * Appends to the channel's history and announces the publication, in offset order per channel
   * across nodes. An idempotent retry (`duplicate: true`) announces nothing.
   */
  publish(
    channel: string,
    data: Uint8Array,
    options?: { idempotencyKey?: string },
  ): Promise<AppendResult>;
  /** Announces without history (ephemeral channels). */
  announce(channel: string, data: Uint8Array): Promise<void>;
  /**
   * This node's interest in a channel: `handler` gets every announcement made after the returned
   * promise resolves. One follower per channel per broker; following again replaces the handler.
   */
  follow(channel: string, handler: AnnouncementHandler): Promise<void>;
  unfollow(channel: string): Promise<void>;
  /**
   * Called after announcements may have been lost (the pub/sub link came back after a drop);
   * followers then compare their position with the history.
   */
  onLoss(handler: () => void): void;
  close(): Promise<void>;
}
