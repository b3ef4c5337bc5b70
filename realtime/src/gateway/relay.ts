import type { Logger } from '@binge/core/log';
import type { Announcement, Broker } from '../broker/broker.ts';
import type { Publication, StreamPosition } from '../recovery/history.ts';

/**
 * A node's follower of one history channel: turns the broker's at-most-once announcements into a
 * gapless, duplicate-free, in-order sequence for the local subscribers (the node half of
 * "Recovery" in docs/protocol.md). It knows the stream's (epoch, last offset delivered) and keeps
 * the most recent publications in a ring, so a subscriber whose recovery read raced new
 * publications can be topped up from memory.
 *
 * - in order (`last + 1`): delivered;
 * - at or below `last`: a duplicate, dropped;
 * - beyond `last + 1`: a gap (an announcement lost, e.g. while the pub/sub link was down): the
 *   missing ones are read from the history and delivered first; announcements arriving meanwhile
 *   wait;
 * - another epoch, or a gap the history cannot fill: the node has lost its place. `onLost` tells
 *   the gateway, which asks its subscribers to resubscribe with their positions (STATE_LOST), and
 *   the relay restarts from the history's current position.
 */
export interface RelayEvents {
  deliver(channel: string, offset: number, data: Uint8Array): void;
  lost(channel: string): void;
}

const RING_SIZE = 1024;
const MAX_GAP_FILL = 1000;
const FILL_ATTEMPTS = 10;
const FILL_RETRY_MS = 300;
const RESTART_RETRY_MS = 1000;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref?.());

export class ChannelRelay {
  #epoch = '';
  #last = 0;
  #ready: Promise<void>;
  #syncing = true;
  #waiting: Announcement[] = [];
  #ring: Publication[] = [];
  #closed = false;
  #settledWaiters: (() => void)[] = [];

  constructor(
    readonly channel: string,
    private readonly broker: Broker,
    private readonly events: RelayEvents,
    private readonly logger: Logger,
  ) {
    this.#ready = this.#start();
  }

  /** Resolves once the relay knows its position; rejects when following failed. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** The position of the last publication delivered; valid once `ready` resolved. */
  get position(): StreamPosition {
    return { epoch: this.#epoch, offset: this.#last };
  }

  get syncing(): boolean {
    return this.#syncing;
  }

  /**
   * Resolves when the relay is in step with the stream (not filling a gap or restarting), so a
   * subscriber can be handed a position that the next delivery continues from.
   */
  settled(): Promise<void> {
    if (!this.#syncing) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  async #start(): Promise<void> {
    await this.broker.follow(this.channel, (announcement) => this.#onAnnouncement(announcement));
    const position = await this.broker.history.position(this.channel);
    this.#epoch = position.epoch;
    this.#last = position.offset;
    this.#drain();
  }

  /**
   * Publications after `offset` (same epoch) that this node delivered and still remembers, in
   * order; null when the ring does not reach back that far.
   */
  since(epoch: string, offset: number): Publication[] | null {
    if (epoch !== this.#epoch) return null;
    if (offset >= this.#last) return [];
    const first = this.#ring[0];
    if (first === undefined || first.offset > offset + 1) return null;
    return this.#ring.filter((p) => p.offset > offset);
  }

  /** After a possible loss of announcements: compare with the history and fill any gap. */
  check(): void {
    if (this.#closed || this.#syncing) return;
    this.#syncing = true;
    void this.#fill(null).finally(() => this.#drain());
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#waiting = [];
    for (const resolve of this.#settledWaiters) resolve();
    this.#settledWaiters = [];
    await this.broker.unfollow(this.channel);
  }

  #onAnnouncement(announcement: Announcement): void {
    if (this.#closed) return;
    if (this.#syncing) {
      this.#waiting.push(announcement);
      return;
    }
    this.#process(announcement);
  }

  #process(a: Announcement): void {
    if (a.epoch === null || a.offset === null) return;
    if (a.epoch !== this.#epoch) {
      this.#lose();
      return;
    }
    if (a.offset <= this.#last) return;
    if (a.offset === this.#last + 1) {
      this.#deliver(a.offset, a.data);
      return;
    }
    this.#syncing = true;
    this.#waiting.unshift(a);
    void this.#fill(a).finally(() => this.#drain());
  }

  /** Reads what was missed after `#last` from the history and delivers it. */
  async #fill(trigger: Announcement | null, attempt = 0): Promise<void> {
    try {
      const result = await this.broker.history.since(
        this.channel,
        { epoch: this.#epoch, offset: this.#last },
        MAX_GAP_FILL,
      );
      if (this.#closed) return;
      if (result.kind === 'refetch') {
        this.logger.warn(
          { channel: this.channel, epoch: this.#epoch, last: this.#last, now: result },
          'relay lost its place in the stream',
        );
        this.#restartAt(result.epoch, result.offset);
        return;
      }
      for (const publication of result.publications) {
        if (publication.offset === this.#last + 1)
          this.#deliver(publication.offset, publication.data);
      }
    } catch (error) {
      // History unreachable (Redis restarting): announcements keep waiting for a few seconds;
      // past that the relay gives up its place and tells the subscribers (who resubscribe and
      // recover or refetch once the history answers again).
      if (this.#closed) return;
      if (attempt >= FILL_ATTEMPTS) {
        this.logger.warn({ err: error, channel: this.channel }, 'relay gap fill gave up');
        await this.#restartFromHistory();
        return;
      }
      await delay(FILL_RETRY_MS);
      if (!this.#closed) await this.#fill(trigger, attempt + 1);
    }
  }

  #lose(): void {
    this.#syncing = true;
    this.#waiting = [];
    void this.#restartFromHistory().finally(() => this.#drain());
  }

  /** Restarts at the history's current position, retrying until it answers or the relay closes. */
  async #restartFromHistory(): Promise<void> {
    this.#waiting = [];
    this.#ring = [];
    while (!this.#closed) {
      try {
        const position = await this.broker.history.position(this.channel);
        if (!this.#closed) this.#restartAt(position.epoch, position.offset);
        return;
      } catch (error) {
        this.logger.warn({ err: error, channel: this.channel }, 'relay restart failed; retrying');
        await delay(RESTART_RETRY_MS);
      }
    }
  }

  #restartAt(epoch: string, offset: number): void {
    this.#epoch = epoch;
    this.#last = offset;
    this.#ring = [];
    this.#waiting = this.#waiting.filter((a) => a.epoch === epoch && (a.offset ?? 0) > offset);
    this.events.lost(this.channel);
  }

  #drain(): void {
    this.#syncing = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (let i = 0; i < waiting.length; i += 1) {
      if (this.#syncing) {
        // A gap inside the queue started another fill; keep the rest for after it.
        this.#waiting.push(...waiting.slice(i));
        return;
      }
      this.#process(waiting[i]!);
    }
    if (this.#syncing) return;
    const waiters = this.#settledWaiters;
    this.#settledWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #deliver(offset: number, data: Uint8Array): void {
    this.#last = offset;
    this.#ring.push({ offset, data });
    if (this.#ring.length > RING_SIZE) this.#ring.splice(0, this.#ring.length - RING_SIZE);
    this.events.deliver(this.channel, offset, data);
  }
}
