import { WebSocketServer, type WebSocket } from 'ws';
import { decodeClientFrame, encodeFrame, type DecodeFailure } from '../realtime/codec.ts';
import { FrameType, PROTOCOL_VERSION, type ClientFrame } from '../realtime/frames.ts';
import type { ErrorPayload, HelloPayload, WelcomePayload } from '../realtime/payloads.ts';

/**
 * A scripted stand-in for the realtime gateway, for the client's tests (Node only: it runs a `ws`
 * server on port 0; nothing browser-side imports it). It speaks the real codec in both directions
 * and records every frame the client sends, refusing none silently: a frame the codec rejects is
 * kept in `invalid`, which the tests assert empty, so the client is held to the protocol too.
 *
 * It answers hello (with `welcome`, or an error and a close) and ping by itself; everything else is
 * left to the test, which awaits the client's frames with `next` and answers them.
 */

type ClientFrameOf<T extends ClientFrame['type']> = Extract<ClientFrame, { type: T }>;

/** What to answer a hello with: a welcome, an error frame and a close, or nothing at all. */
export type HelloAnswer =
  | { readonly welcome: Partial<WelcomePayload> }
  | { readonly error: ErrorPayload; readonly close: number }
  | { readonly silent: true };

export interface FakeGatewayOptions {
  /** The gateway's clock for `ts` (the client's fast clock in timer tests). */
  now?: () => number;
}

interface Waiter {
  readonly type: number;
  readonly resolve: (frame: ClientFrame) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class FakeConnection {
  /** Every valid frame received, in order (pings included). */
  readonly received: ClientFrame[] = [];
  /** Frames the codec refused. */
  readonly invalid: DecodeFailure[] = [];
  /** Answer pings; set false to play a dead peer. */
  answerPings = true;
  hello: HelloPayload | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly unread: ClientFrame[] = [];
  private readonly waiters: Waiter[] = [];

  constructor(
    private readonly socket: WebSocket,
    private readonly now: () => number,
  ) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        for (const waiter of this.waiters.splice(0)) {
          clearTimeout(waiter.timer);
          waiter.reject(
            new Error(`connection closed (${code}) while waiting for type ${waiter.type}`),
          );
        }
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  /** @internal Called by the gateway for every message. */
  receive(frame: ClientFrame): void {
    this.received.push(frame);
    if (frame.type === FrameType.ping) {
      if (this.answerPings) this.reply(frame, FrameType.pong, { ts: this.now() });
      return;
    }
    const index = this.waiters.findIndex((waiter) => waiter.type === frame.type);
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1);
      clearTimeout(waiter!.timer);
      waiter!.resolve(frame);
    } else {
      this.unread.push(frame);
    }
  }

  /** The next frame of `type` not yet taken (frames of other types stay for their own `next`). */
  next<T extends ClientFrame['type']>(type: T, timeoutMs = 3_000): Promise<ClientFrameOf<T>> {
    const index = this.unread.findIndex((frame) => frame.type === type);
    if (index >= 0) return Promise.resolve(this.unread.splice(index, 1)[0] as ClientFrameOf<T>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = this.waiters.findIndex((waiter) => waiter.timer === timer);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(new Error(`no client frame of type ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({
        type,
        resolve: resolve as (frame: ClientFrame) => void,
        reject,
        timer,
      });
    });
  }

  /** Frames received and not taken by `next`, pings aside. */
  pending(): readonly ClientFrame[] {
    return this.unread;
  }

  /** Sends a raw server frame (any bytes: tests of invalid frames use this). */
  sendRaw(bytes: Uint8Array | string): void {
    this.socket.send(bytes);
  }

  send(type: number, rid: number, payload: object): void {
    this.socket.send(encodeFrame({ type, rid, payload } as never));
  }

  /** Answers a request with the same rid. */
  reply(request: ClientFrame, type: number, payload: object): void {
    this.send(type, request.rid, payload);
  }

  /** A server push (rid 0). */
  push(type: number, payload: object): void {
    this.send(type, 0, payload);
  }

  close(code: number, reason = ''): void {
    this.socket.close(code, reason);
  }

  /** Drops the TCP connection without a close frame (the client sees 1006). */
  terminate(): void {
    this.socket.terminate();
  }
}

export interface FakeGateway {
  /** `ws://127.0.0.1:<port>/ws`. */
  readonly url: string;
  readonly connections: readonly FakeConnection[];
  /** Decides the answer to each hello; default: welcome uid 7, no expiry, no pings needed. */
  answerHello: (hello: HelloPayload, connection: FakeConnection) => HelloAnswer;
  /** The next connection whose hello was answered (connections already answered count first). */
  nextConnection(timeoutMs?: number): Promise<FakeConnection>;
  stop(): Promise<void>;
}

export function defaultWelcome(now: number, overrides: Partial<WelcomePayload> = {}) {
  return {
    v: PROTOCOL_VERSION,
    cid: 'c1',
    uid: 7,
    exp: 0,
    pi: 600_000,
    mf: 16 * 1024,
    ts: now,
    ...overrides,
  } satisfies WelcomePayload;
}

export async function startFakeGateway(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
  const now = options.now ?? Date.now;
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');

  const connections: FakeConnection[] = [];
  const welcomed: FakeConnection[] = [];
  const waiting: Array<(connection: FakeConnection) => void> = [];

  const gateway: FakeGateway = {
    url: `ws://127.0.0.1:${address.port}/ws`,
    connections,
    answerHello: () => ({ welcome: {} }),
    nextConnection(timeoutMs = 3_000) {
      const ready = welcomed.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const at = waiting.indexOf(take);
          if (at >= 0) waiting.splice(at, 1);
          reject(new Error(`no connection within ${timeoutMs} ms`));
        }, timeoutMs);
        const take = (connection: FakeConnection) => {
          clearTimeout(timer);
          resolve(connection);
        };
        waiting.push(take);
      });
    },
    async stop() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  server.on('connection', (socket) => {
    const connection = new FakeConnection(socket, now);
    connections.push(connection);
    socket.on('message', (data, isBinary) => {
      const bytes = isBinary ? new Uint8Array(data as Buffer) : data.toString();
      const decoded = decodeClientFrame(bytes);
      if (!decoded.ok) {
        connection.invalid.push(decoded);
        return;
      }
      const frame = decoded.frame;
      if (frame.type !== FrameType.hello) {
        connection.receive(frame);
        return;
      }
      connection.hello = frame.payload;
      connection.received.push(frame);
      const answer = gateway.answerHello(frame.payload, connection);
      if ('silent' in answer) return;
      if ('error' in answer) {
        connection.reply(frame, FrameType.error, answer.error);
        connection.close(answer.close, answer.error.m);
        return;
      }
      connection.reply(frame, FrameType.welcome, {
        ...defaultWelcome(now(), answer.welcome),
        cid: `c${connections.length}`,
        ...answer.welcome,
      });
      const take = waiting.shift();
      if (take !== undefined) take(connection);
      else welcomed.push(connection);
    });
  });
  return gateway;
}
