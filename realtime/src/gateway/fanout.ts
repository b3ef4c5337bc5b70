import type { TemplatedApp } from 'uWebSockets.js';
import { encodeFrame } from '@binge/core/protocol/realtime/codec';
import { FrameType } from '@binge/core/protocol/realtime/frames';
import type { PublicationPayload } from '@binge/core/protocol/realtime/payloads';
import { MAX_BATCH_PUBLICATIONS } from '@binge/core/protocol/realtime/limits';
import type { Connection } from './connection.ts';

/**
 * Per-tick fan-out ("Batching and backpressure" in docs/protocol.md). Publications wait at most
 * one tick, then leave as one frame per channel (lossy kinds) or per connection (reliable kinds):
 * a `publication` when alone, a `batch` otherwise.
 *
 * - Lossy channels (danmu, live counters) go through uWS's native topic publish: one encode per
 *   channel per tick, sent from C++ to every subscriber. A subscriber whose send buffer is past
 *   maxBackpressure is skipped by uWS until it drains: that is the thinning; for danmu the client
 *   sees an offset gap and moves on (docs: danmu is lossy), live counters are whole snapshots so
 *   the next one replaces what was skipped. A danmu storm is also capped per channel per tick.
 * - Reliable channels (chat, DM, progress, notify, feed) are queued per connection and sent with
 *   ws.send, whose result is checked: a connection that cannot take one (dropped, or over its
 *   buffer limit) is closed with SLOW_CONSUMER (4001) and recovers on reconnect. Never silent.
 */
export interface FanoutOptions {
  /** How long reliable publications (chat, DM, progress, notify, feed) wait to share a frame. */
  tickMs: number;
  /**
   * The same for lossy channels (danmu, live counters). Longer: a busy danmu room is the one
   * place where batching saves most (every subscriber gets every publication), and 50 ms is
   * below what a viewer can tell on comments flying across the picture.
   */
  lossyTickMs: number;
  /** Most danmu per channel per tick; the rest are thinned (they stay in storage and history). */
  maxDanmuPerTick: number;
  /** A connection's send buffer past which a reliable send closes it (bytes). */
  reliableBufferLimit: number;
  /** Largest frame the fan-out builds (the protocol's server frame limit, with headroom). */
  maxFrameBytes: number;
}

export interface FanoutStats {
  /** Frames handed to uWS (topic publishes count once). */
  frames: number;
  /** Publications delivered to sockets (a topic publish counts its subscribers). */
  deliveries: number;
  /** Danmu dropped by the per-tick cap. */
  thinned: number;
  /** Connections closed as slow consumers. */
  slowClosed: number;
}

interface Pending {
  pubs: PublicationPayload[];
  danmu: boolean;
}

/** Bytes of the envelope and keys around a publication's data, an upper bound. */
const PUB_OVERHEAD = 96;

export class Fanout {
  readonly stats: FanoutStats = { frames: 0, deliveries: 0, thinned: 0, slowClosed: 0 };
  #lossy = new Map<string, Pending>();
  #dirty = new Set<Connection>();
  #timer: NodeJS.Timeout | null = null;
  #lossyTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly app: TemplatedApp,
    private readonly options: FanoutOptions,
    private readonly slowConsumer: (connection: Connection) => void,
  ) {}

  /** Queues a publication for every subscriber of a lossy channel on this node. */
  lossy(channel: string, pub: PublicationPayload, isDanmu: boolean): void {
    let pending = this.#lossy.get(channel);
    if (pending === undefined) {
      pending = { pubs: [], danmu: isDanmu };
      this.#lossy.set(channel, pending);
    }
    if (isDanmu && pending.pubs.length >= this.options.maxDanmuPerTick) {
      this.stats.thinned += 1;
      return;
    }
    if (!isDanmu && pub.off === undefined) {
      // Live counters: a snapshot replaces the one still waiting (merged per tick).
      pending.pubs = [pub];
    } else {
      pending.pubs.push(pub);
    }
    this.#lossyTimer ??= setTimeout(() => {
      this.#lossyTimer = null;
      this.#flushLossy();
    }, this.options.lossyTickMs);
  }

  /** Queues a publication for the given connections (reliable: never dropped silently). */
  reliable(connections: Iterable<Connection>, pub: PublicationPayload, dataBytes: number): void {
    for (const connection of connections) {
      if (connection.closed) continue;
      connection.outbox.push(pub);
      connection.outboxBytes += dataBytes + PUB_OVERHEAD;
      this.#dirty.add(connection);
    }
    this.#schedule();
  }

  /** Sends everything queued now (also called on shutdown). */
  flush(): void {
    this.#flushLossy();
    this.#flushReliable();
  }

  #flushLossy(): void {
    if (this.#lossyTimer !== null) {
      clearTimeout(this.#lossyTimer);
      this.#lossyTimer = null;
    }
    const lossy = this.#lossy;
    this.#lossy = new Map();
    for (const [channel, pending] of lossy) {
      const subscribers = this.app.numSubscribers(channel);
      if (subscribers === 0) continue;
      for (const frame of this.#frames(pending.pubs)) {
        this.app.publish(channel, frame, true, false);
        this.stats.frames += 1;
      }
      this.stats.deliveries += subscribers * pending.pubs.length;
    }
  }

  #flushReliable(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const dirty = this.#dirty;
    this.#dirty = new Set();
    for (const connection of dirty) {
      const pubs = connection.outbox;
      connection.outbox = [];
      connection.outboxBytes = 0;
      const ws = connection.ws;
      if (connection.closed || ws === null || pubs.length === 0) continue;
      // Every frame must leave room under maxBackpressure for the close frame: a frame that
      // would take the buffer past the limit closes the connection instead (4001), before uWS
      // could drop something silently.
      let slow = false;
      ws.cork(() => {
        for (const frame of this.#frames(pubs)) {
          if (ws.getBufferedAmount() + frame.byteLength > this.options.reliableBufferLimit) {
            slow = true;
            break;
          }
          ws.send(frame, true, false);
          this.stats.frames += 1;
        }
      });
      if (slow) {
        this.stats.slowClosed += 1;
        this.slowConsumer(connection);
      } else {
        this.stats.deliveries += pubs.length;
      }
    }
  }

  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#lossyTimer !== null) clearTimeout(this.#lossyTimer);
    this.#timer = null;
    this.#lossyTimer = null;
    this.#lossy.clear();
    this.#dirty.clear();
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      this.#flushReliable();
    }, this.options.tickMs);
  }

  /** Encodes publications into as few frames as the batch and frame limits allow. */
  *#frames(pubs: PublicationPayload[]): Generator<Uint8Array> {
    if (pubs.length === 1) {
      yield encodeFrame({ type: FrameType.publication, rid: 0, payload: pubs[0]! });
      return;
    }
    let start = 0;
    while (start < pubs.length) {
      let end = Math.min(start + MAX_BATCH_PUBLICATIONS, pubs.length);
      let frame = encodeFrame({
        type: FrameType.batch,
        rid: 0,
        payload: { pubs: pubs.slice(start, end) },
      });
      while (frame.byteLength > this.options.maxFrameBytes && end - start > 1) {
        end = start + Math.ceil((end - start) / 2);
        frame = encodeFrame({
          type: FrameType.batch,
          rid: 0,
          payload: { pubs: pubs.slice(start, end) },
        });
      }
      yield end - start === 1
        ? encodeFrame({ type: FrameType.publication, rid: 0, payload: pubs[start]! })
        : frame;
      start = end;
    }
  }
}
