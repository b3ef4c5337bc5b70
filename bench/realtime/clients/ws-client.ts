/**
 * The plain ws peer's client for the load workers: JSON text messages over the `ws` client.
 *
 * - `{"type":"join","room":…}` → `{"type":"joined"}`
 * - `{"type":"pub","rid":…,"ch":…,"d":{…}}` → `{"type":"ok","rid":…,"off":…,"mid":…}`
 * - broadcasts: `{"ch":…,"off":…,"d":{"mid":…,"uid":…,…danmu}}`
 */
import WebSocket from 'ws';
import { clockMs, sentAtOf, type DanmuSend } from '../danmu-payload.ts';
import type { Tally } from '../tally.ts';
import type { Identity, Target } from '../worker-protocol.ts';
import {
  handshakeTimeoutMs,
  publishTimeoutMs,
  withTimeout,
  type Publisher,
  type SystemClient,
} from './system-client.ts';

interface Message {
  type?: string;
  rid?: number;
  d?: { t?: unknown };
}

class PeerSocket {
  readonly socket: WebSocket;
  private readonly pending = new Map<number, (message: Message | null) => void>();
  private nextRid = 1;
  private closing = false;
  readonly opened: Promise<void>;

  constructor(
    target: Target,
    identity: Identity,
    private readonly tally: Tally,
    private readonly measure = true,
  ) {
    this.socket = new WebSocket(`ws://127.0.0.1:${target.port}${target.path}`, {
      perMessageDeflate: false,
      localAddress: identity.localAddress,
      headers: { 'x-forwarded-for': identity.forwardedFor },
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
      this.socket.once('close', (code) => reject(new Error(`closed ${code} before open`)));
    });
    this.socket.on('error', () => undefined);
    this.socket.on('message', (data: Buffer) => this.onMessage(data));
    this.socket.on('close', (code) => {
      for (const resolve of this.pending.values()) resolve(null);
      this.pending.clear();
      if (!this.closing) this.tally.closed(`close ${code}`);
    });
  }

  request(message: Record<string, unknown>): Promise<Message | null> {
    const rid = this.nextRid++;
    return new Promise((resolve) => {
      this.pending.set(rid, resolve);
      this.socket.send(JSON.stringify({ ...message, rid }));
    });
  }

  private onMessage(data: Buffer): void {
    // A broadcast begins `{"ch":`, a reply `{"type":`: count broadcasts without parsing them.
    if (!this.measure && data[2] === 0x63) {
      this.tally.received(data.byteLength);
      this.tally.counted(1);
      return;
    }
    const now = clockMs();
    const message = JSON.parse(data.toString()) as Message;
    if (message.type === undefined) {
      this.tally.received(data.byteLength);
      const text = message.d?.t;
      this.tally.delivered(typeof text === 'string' ? sentAtOf(text) : Number.NaN, now);
      return;
    }
    const resolve = message.rid === undefined ? undefined : this.pending.get(message.rid);
    if (resolve) {
      this.pending.delete(message.rid!);
      resolve(message);
    } else {
      this.tally.error(`unexpected message ${message.type}`);
    }
  }

  close(): void {
    this.closing = true;
    this.socket.close(1000);
  }

  isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }
}

async function opened(socket: PeerSocket, steps: () => Promise<void>): Promise<void> {
  try {
    await withTimeout(steps(), handshakeTimeoutMs, 'handshake');
  } catch (error) {
    socket.close();
    throw error;
  }
}

export const wsClient: SystemClient = {
  async subscriber(target, room, identity, tally, measure) {
    const socket = new PeerSocket(target, identity, tally, measure);
    await opened(socket, async () => {
      await socket.opened;
      const reply = await socket.request({ type: 'join', room });
      if (reply?.type !== 'joined') throw new Error(`join: ${JSON.stringify(reply)}`);
    });
    return socket;
  },

  async publisher(target, room, identity, tally): Promise<Publisher> {
    const socket = new PeerSocket(
      { ...target, path: `${target.path}?uid=${identity.userId}` },
      identity,
      tally,
    );
    await opened(socket, () => socket.opened);
    return {
      close: () => socket.close(),
      isOpen: () => socket.isOpen(),
      async publish(danmu: DanmuSend) {
        if (!socket.isOpen()) return 'not open';
        try {
          const reply = await withTimeout(
            socket.request({ type: 'pub', ch: room, d: danmu }),
            publishTimeoutMs,
            'publish',
          );
          return reply?.type === 'ok' ? 'ok' : `bad reply ${JSON.stringify(reply)}`;
        } catch {
          return 'timeout';
        }
      },
    };
  },
};
