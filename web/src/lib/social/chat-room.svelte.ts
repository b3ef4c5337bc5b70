import type { RealtimeClient, Subscription } from '@binge/core/protocol/realtime-client/client';
import { sanitizeText, type TextRejection } from '@binge/core/protocol/realtime/danmu-text';
import { realtime } from '$lib/session/realtime.ts';
import { session } from '$lib/session/session.svelte.ts';
import { newClientKey } from './client-key.ts';
import { failureOf, type Failure } from './failure.ts';
import {
  addPending,
  failPending,
  fromChatData,
  fromChatMessage,
  mergeLines,
  settlePending,
  type LogLine,
} from './message-log.ts';
import { socialApi } from './social-api.ts';

/**
 * A series' fan room: the room id is the series id (GET /rooms/{roomId}/chat answers ROOM_NOT_FOUND
 * for anything but a published series, and the gateway's `chat:<room>` channel is checked the same
 * way). History comes over HTTP, live lines over the shared realtime client; a `refetch` (history
 * no longer reaches after a long disconnection) and a fresh subscribe reload the history.
 */
export type SendOutcome = { ok: true } | { ok: false; rejection: TextRejection };

export class ChatRoom {
  lines = $state<LogLine[]>([]);
  status = $state<'loading' | 'ready' | 'failed'>('loading');
  /** Why the history or the live channel failed. */
  failure = $state<Failure | null>(null);
  /** The signed-in user, to mark own lines. */
  me = $state<number | null>(null);
  live = $state(false);

  #client: RealtimeClient | null = null;
  #subscription: Subscription | null = null;
  #stops: Array<() => void> = [];
  #disposed = false;

  constructor(readonly roomId: number) {}

  get channel(): `chat:${number}` {
    return `chat:${this.roomId}`;
  }

  async start(): Promise<void> {
    const current = await session.ensure().catch(() => null);
    if (this.#disposed) return;
    this.me = current?.userId ?? null;
    const loading = this.reload();
    try {
      const client = await realtime();
      if (this.#disposed) return;
      this.#client = client;
      const subscription = client.subscribe(this.channel, (data) => {
        this.lines = mergeLines(this.lines, [fromChatData(data)]);
      });
      this.#subscription = subscription;
      const settle = () => {
        this.live = true;
      };
      this.#stops.push(
        subscription.on('fresh', () => {
          settle();
          void this.reload();
        }),
        subscription.on('recovered', settle),
        subscription.on('refetch', () => {
          settle();
          void this.reload();
        }),
        subscription.on('unsubscribed', (event) => {
          this.live = false;
          if (event.error) this.failure = failureOf(event.error);
        }),
        client.on('close', () => {
          this.live = false;
        }),
      );
    } catch (error) {
      this.failure = failureOf(error);
    }
    await loading;
  }

  async reload(): Promise<void> {
    try {
      const history = await socialApi.roomChat(this.roomId);
      if (this.#disposed) return;
      this.lines = mergeLines(this.lines, history.items.map(fromChatMessage));
      this.status = 'ready';
      this.failure = null;
    } catch (error) {
      if (this.#disposed) return;
      if (this.status !== 'ready') this.status = 'failed';
      this.failure = failureOf(error);
    }
  }

  /** Cleans the text by the gateway's rules, shows it at once and publishes it. */
  send(raw: string, cmid = newClientKey()): SendOutcome {
    const verdict = sanitizeText(raw, 'chat');
    if (!verdict.ok) return { ok: false, rejection: verdict.reason };
    this.lines = addPending(this.lines, {
      cmid,
      from: this.me ?? 0,
      name: session.current?.displayName ?? '',
      text: verdict.text,
      ts: Date.now(),
    });
    void this.#publish(verdict.text, cmid);
    return { ok: true };
  }

  /** Sends a failed line again with its cmid, so a send that did arrive is not doubled. */
  retry(line: LogLine): void {
    if (line.cmid === undefined || line.state !== 'failed') return;
    this.lines = this.lines.filter((other) => other !== line);
    this.send(line.text, line.cmid);
  }

  async #publish(text: string, cmid: string): Promise<void> {
    try {
      const client = this.#client ?? (await realtime());
      const result = await client.publish(this.channel, { t: text, cmid });
      if (result.mid !== undefined) this.lines = settlePending(this.lines, cmid, result.mid);
    } catch (error) {
      this.lines = failPending(this.lines, cmid, failureOf(error).code);
    }
  }

  dispose(): void {
    this.#disposed = true;
    for (const stop of this.#stops.splice(0)) stop();
    this.#subscription?.unsubscribe();
    this.#subscription = null;
  }
}
