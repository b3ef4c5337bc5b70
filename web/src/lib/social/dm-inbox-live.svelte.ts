import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { RealtimeClient, Subscription } from '@binge/core/protocol/realtime-client/client';
import { sanitizeText } from '@binge/core/protocol/realtime/danmu-text';
import { realtime } from '$lib/session/realtime.ts';
import { session } from '$lib/session/session.svelte.ts';
import { newClientKey } from './client-key.ts';
import { compareIds } from './comment-threads.ts';
import { advanceMarks, newestFrom, peerOf, type ReceiptMarks } from './dm-inbox.ts';
import { failureOf, type Failure } from './failure.ts';
import type { SendOutcome } from './chat-room.svelte.ts';
import {
  addPending,
  failPending,
  fromDirectMessage,
  fromDmData,
  mergeLines,
  settlePending,
  type LogLine,
} from './message-log.ts';
import { socialApi } from './social-api.ts';

/**
 * The signed-in user's DMs, live: the newest 500 over HTTP, then the `dm:<me>` channel, which
 * carries messages both ways (a send from another of my devices too) and the receipts of the
 * people I wrote to. Each new message from someone else is acknowledged as delivered as soon as it
 * arrives here; `markRead` sends the read receipt when a conversation is on screen.
 *
 * Receipts are pushed, not stored for reading back over HTTP, so the ticks under messages sent
 * before this page opened show what arrived while it was open (and what the channel recovered).
 */
export class DmInbox {
  lines = $state<LogLine[]>([]);
  status = $state<'loading' | 'ready' | 'failed'>('loading');
  failure = $state<Failure | null>(null);
  me = $state<number | null>(null);
  /** Per peer: how far they got through my messages. */
  marks = new SvelteMap<number, ReceiptMarks>();
  /** Per peer: the newest of their messages this account read. */
  readUpTo = new SvelteMap<number, string>();
  blocked = new SvelteSet<number>();

  #client: RealtimeClient | null = null;
  #subscription: Subscription | null = null;
  #stops: Array<() => void> = [];
  #disposed = false;
  #delivered: string | null = null;
  #onScreen: number | null = null;

  async start(): Promise<void> {
    const current = await session.ensure().catch(() => null);
    if (this.#disposed) return;
    this.me = current?.userId ?? null;
    if (this.me === null) {
      this.status = 'failed';
      this.failure = { code: 'NETWORK_ERROR', detail: null, transient: true };
      return;
    }
    const loading = Promise.all([this.reload(), this.#loadBlocks()]);
    try {
      const client = await realtime();
      if (this.#disposed) return;
      this.#client = client;
      const subscription = client.subscribe(`dm:${this.me}`, (data) => {
        if (data.k === 'rcpt') this.#onReceipt(data);
        else {
          this.lines = mergeLines(this.lines, [fromDmData(data)]);
          this.#acknowledge();
        }
      });
      this.#subscription = subscription;
      this.#stops.push(
        subscription.on('fresh', () => void this.reload()),
        subscription.on('recovered', () => this.#acknowledge()),
        subscription.on('refetch', () => void this.reload()),
        subscription.on('unsubscribed', (event) => {
          if (event.error) this.failure = failureOf(event.error);
        }),
      );
    } catch (error) {
      this.failure = failureOf(error);
    }
    await loading;
  }

  async reload(): Promise<void> {
    try {
      const list = await socialApi.dms();
      if (this.#disposed) return;
      this.lines = mergeLines(this.lines, list.items.map(fromDirectMessage));
      this.status = 'ready';
      this.failure = null;
      this.#acknowledge();
    } catch (error) {
      if (this.#disposed) return;
      if (this.status !== 'ready') this.status = 'failed';
      this.failure = failureOf(error);
    }
  }

  async #loadBlocks(): Promise<void> {
    try {
      const list = await socialApi.blocks();
      this.blocked.clear();
      for (const item of list.items) this.blocked.add(item.userId);
    } catch {
      // The block button then starts from "not blocked"; the API's answer to it is the truth.
    }
  }

  #onReceipt(receipt: { mid: string; by: number; r: 1 | 2; ts: number }): void {
    if (receipt.by !== this.me) {
      this.marks.set(
        receipt.by,
        advanceMarks(this.marks.get(receipt.by), { k: 'rcpt', ...receipt }),
      );
      return;
    }
    // My own read receipt, from this or another device: that conversation is read up to mid.
    if (receipt.r !== 2) return;
    const line = this.lines.find((item) => item.mid === receipt.mid);
    if (line) this.#noteRead(peerOf(line, this.me), receipt.mid);
  }

  #noteRead(peerId: number, mid: string): void {
    const known = this.readUpTo.get(peerId);
    if (known === undefined || compareIds(mid, known) > 0) this.readUpTo.set(peerId, mid);
  }

  /** Delivered up to the newest message from anyone; read too for the conversation on screen. */
  #acknowledge(): void {
    const client = this.#client;
    if (!client || this.#subscription?.state !== 'live' || this.me === null) return;
    let newest: string | null = null;
    for (const line of this.lines)
      if (line.from !== this.me && line.mid !== null) {
        if (newest === null || compareIds(line.mid, newest) > 0) newest = line.mid;
      }
    if (newest !== null && (this.#delivered === null || compareIds(newest, this.#delivered) > 0)) {
      this.#delivered = newest;
      client.ack(newest, 1).catch(() => undefined);
    }
    if (this.#onScreen !== null) this.markRead(this.#onScreen);
  }

  /** The conversation with `peerId` is on screen: its messages are read as they come. */
  show(peerId: number | null): void {
    this.#onScreen = peerId;
    if (peerId !== null) this.markRead(peerId);
  }

  markRead(peerId: number): void {
    const client = this.#client;
    if (!client || this.#subscription?.state !== 'live') return;
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    const newest = newestFrom(this.lines, peerId);
    if (newest === null) return;
    const known = this.readUpTo.get(peerId);
    if (known !== undefined && compareIds(newest, known) <= 0) return;
    this.#noteRead(peerId, newest);
    client.ack(newest, 2).catch(() => this.readUpTo.delete(peerId));
  }

  send(peerId: number, raw: string, cmid = newClientKey()): SendOutcome {
    const verdict = sanitizeText(raw, 'dm');
    if (!verdict.ok) return { ok: false, rejection: verdict.reason };
    this.lines = addPending(this.lines, {
      cmid,
      from: this.me ?? 0,
      to: peerId,
      text: verdict.text,
      ts: Date.now(),
    });
    void this.#publish(peerId, verdict.text, cmid);
    return { ok: true };
  }

  retry(line: LogLine): void {
    if (line.cmid === undefined || line.state !== 'failed' || line.to === undefined) return;
    this.lines = this.lines.filter((other) => other !== line);
    this.send(line.to, line.text, line.cmid);
  }

  async #publish(peerId: number, text: string, cmid: string): Promise<void> {
    try {
      const client = this.#client ?? (await realtime());
      const result = await client.publish(`dm:${peerId}`, { t: text, cmid });
      if (result.mid !== undefined) this.lines = settlePending(this.lines, cmid, result.mid);
    } catch (error) {
      this.lines = failPending(this.lines, cmid, failureOf(error).code);
    }
  }

  async setBlocked(peerId: number, blocked: boolean): Promise<void> {
    await socialApi.setBlocked(peerId, blocked);
    if (blocked) this.blocked.add(peerId);
    else this.blocked.delete(peerId);
  }

  dispose(): void {
    this.#disposed = true;
    for (const stop of this.#stops.splice(0)) stop();
    this.#subscription?.unsubscribe();
    this.#subscription = null;
  }
}
