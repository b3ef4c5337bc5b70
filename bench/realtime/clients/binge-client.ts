/**
 * Our gateway's client for the load workers: the `ws` npm client speaking docs/protocol.md.
 *
 * Control frames (welcome, subscribed, ok, error, unsubscribed, pong) go through core's
 * `decodeServerFrame`, which validates them fully. Publications and batches, 250,000 a second in
 * the broadcast scenario on the same two cores as the server, take a fast path: on a connection
 * that measures latency @msgpack/msgpack reads the frame and each publication's send time; on the others
 * the count comes from the frame's first bytes (frame-count.ts). One data frame in
 * `validateEvery` on every connection still goes through `decodeServerFrame`, and a failure is
 * counted as an error.
 */
import { encodeFrame, decodeServerFrame } from '@binge/core/protocol/realtime/codec';
import { closeCodes, errorCodeName } from '@binge/core/protocol/realtime/codes';
import {
  FrameType,
  PROTOCOL_VERSION,
  type ClientFrame,
} from '@binge/core/protocol/realtime/frames';
import { Decoder } from '@msgpack/msgpack';
import WebSocket from 'ws';
import { clockMs, sentAtOf, type DanmuSend } from '../danmu-payload.ts';
import { publicationsIn } from '../frame-count.ts';
import type { Tally } from '../tally.ts';
import type { Identity, PublisherIdentity, Target } from '../worker-protocol.ts';
import {
  handshakeTimeoutMs,
  publishTimeoutMs,
  withTimeout,
  type Connection,
  type Publisher,
  type SystemClient,
} from './system-client.ts';

const validateEvery = 1000;
const decoder = new Decoder();
const closeNames = new Map<number, string>(
  Object.entries(closeCodes).map(([name, close]) => [close.code, name]),
);

function codeName(code: number): string {
  return errorCodeName(code) ?? String(code);
}

function closeName(code: number): string {
  return `${code}${closeNames.has(code) ? ` ${closeNames.get(code)}` : ''}`;
}

interface PendingReply {
  resolve(frame: { type: number; payload: Record<string, unknown> }): void;
}

/** A publication as it sits in a `publication` frame or a batch entry. */
interface WirePublication {
  d?: { t?: unknown };
}

class GatewaySocket implements Connection {
  private readonly socket: WebSocket;
  private readonly pending = new Map<number, PendingReply>();
  private nextRid = 1;
  private pingTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private dataFrames = 0;
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
    this.socket.binaryType = 'nodebuffer';
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
      this.socket.once('close', (code) => reject(new Error(`closed ${code} before open`)));
    });
    this.socket.on('error', () => undefined); // the close that follows is what counts
    this.socket.on('message', (data: Buffer) => this.onMessage(data));
    this.socket.on('close', (code) => {
      clearInterval(this.pingTimer);
      for (const reply of this.pending.values()) {
        reply.resolve({ type: -1, payload: { closed: code } });
      }
      this.pending.clear();
      if (!this.closing) this.tally.closed(closeName(code));
    });
  }

  request(
    frame: Omit<ClientFrame, 'rid'>,
  ): Promise<{ type: number; payload: Record<string, unknown> }> {
    const rid = this.nextRid++;
    return new Promise((resolve) => {
      this.pending.set(rid, { resolve });
      this.socket.send(encodeFrame({ ...frame, rid } as ClientFrame));
    });
  }

  /** hello → welcome; then pings at half the announced interval, from a random phase. */
  async hello(token?: string): Promise<void> {
    await this.opened;
    const reply = await this.request({
      type: FrameType.hello,
      payload: token ? { v: PROTOCOL_VERSION, tk: token } : { v: PROTOCOL_VERSION },
    });
    if (reply.type !== FrameType.welcome) throw new Error(`hello: ${describe(reply)}`);
    const interval = Number(reply.payload.pi) / 2;
    const start = setTimeout(() => {
      this.ping();
      this.pingTimer = setInterval(() => this.ping(), interval);
    }, Math.random() * interval);
    this.pingTimer = start;
  }

  private ping(): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    void this.request({ type: FrameType.ping, payload: {} }).then((reply) => {
      if (reply.type === FrameType.error) this.tally.error(`ping: ${describe(reply)}`);
    });
  }

  private onMessage(data: Buffer): void {
    // A frame is a fixarray of 3 (0x93) whose first element is the type as a positive fixint.
    const type = data[0] === 0x93 ? data[1] : undefined;
    if (type === FrameType.publication || type === FrameType.batch) {
      this.onData(data, type);
      return;
    }
    const decoded = decodeServerFrame(data);
    if (!decoded.ok) {
      this.tally.error(`invalid frame: ${decoded.code}`);
      return;
    }
    const { frame } = decoded;
    const waiting = frame.rid === 0 ? undefined : this.pending.get(frame.rid);
    if (waiting) {
      this.pending.delete(frame.rid);
      waiting.resolve(frame as { type: number; payload: Record<string, unknown> });
    } else if (frame.type === FrameType.error) {
      this.tally.error(`error push ${codeName(frame.payload.c)}`);
    } else if (frame.type === FrameType.unsubscribed) {
      this.tally.error(`unsubscribed by server ${codeName(frame.payload.c ?? 0)}`);
    } else {
      this.tally.error(`unexpected frame ${frame.type}`);
    }
  }

  private onData(data: Buffer, type: number): void {
    const now = clockMs();
    this.tally.received(data.byteLength);
    this.dataFrames += 1;
    if (this.dataFrames % validateEvery === 0) {
      const decoded = decodeServerFrame(data);
      if (!decoded.ok)
        this.tally.error(`invalid ${type} frame: ${decoded.code} ${decoded.message}`);
    }
    if (!this.measure) {
      const count = publicationsIn(data);
      if (count !== null) {
        this.tally.counted(count);
        return;
      }
    }
    const [, , payload] = decoder.decode(data) as [number, number, Record<string, unknown>];
    if (type === FrameType.publication) {
      this.deliver(payload as WirePublication, now);
    } else {
      for (const pub of payload.pubs as WirePublication[]) this.deliver(pub, now);
    }
  }

  private deliver(pub: WirePublication, now: number): void {
    const text = pub.d?.t;
    this.tally.delivered(typeof text === 'string' ? sentAtOf(text) : Number.NaN, now);
  }

  close(): void {
    this.closing = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.pingTimer);
    this.socket.close(1000);
  }

  isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }
}

function describe(reply: { type: number; payload: Record<string, unknown> }): string {
  if (reply.type === FrameType.error) {
    return `${codeName(Number(reply.payload.c))} ${String(reply.payload.m)}`;
  }
  if (reply.type === -1) return `closed ${String(reply.payload.closed)}`;
  return `frame ${reply.type}`;
}

async function open<T>(socket: GatewaySocket, steps: () => Promise<T>): Promise<T> {
  try {
    return await withTimeout(steps(), handshakeTimeoutMs, 'handshake');
  } catch (error) {
    socket.close();
    throw error;
  }
}

export const bingeClient: SystemClient = {
  async subscriber(target, room, identity, tally, measure) {
    const socket = new GatewaySocket(target, identity, tally, measure);
    return open(socket, async () => {
      await socket.hello();
      const reply = await socket.request({ type: FrameType.subscribe, payload: { ch: room } });
      if (reply.type !== FrameType.subscribed) throw new Error(`subscribe: ${describe(reply)}`);
      return socket;
    });
  },

  async publisher(target, room, identity: PublisherIdentity, tally): Promise<Publisher> {
    const socket = new GatewaySocket(target, identity, tally);
    await open(socket, () => socket.hello(identity.token));
    return {
      close: () => socket.close(),
      isOpen: () => socket.isOpen(),
      async publish(danmu: DanmuSend) {
        if (!socket.isOpen()) return 'not open';
        try {
          const reply = await withTimeout(
            socket.request({ type: FrameType.publish, payload: { ch: room, d: danmu } }),
            publishTimeoutMs,
            'publish',
          );
          return reply.type === FrameType.ok ? 'ok' : describe(reply);
        } catch {
          return 'timeout';
        }
      },
    };
  },
};
