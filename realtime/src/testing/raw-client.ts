import { WebSocket } from 'ws';
import { decodeServerFrame, encodeFrame } from '@binge/core/protocol/realtime/codec';
import {
  FrameType,
  PROTOCOL_VERSION,
  type ClientFrame,
  type ServerFrame,
} from '@binge/core/protocol/realtime/frames';

/**
 * A frame-level test client: sends any bytes, records every server frame (decoded and validated
 * with the client codec, so a server frame that breaks the protocol fails the test) and the close.
 */
export interface RawClient {
  readonly frames: ServerFrame[];
  /** Resolves with the close code and reason once the socket closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  sendBytes(bytes: Uint8Array | string): void;
  send(frame: ClientFrame): void;
  /** Sends a request with a fresh rid and resolves with the reply (same rid). */
  request(type: ClientFrame['type'], payload: object): Promise<ServerFrame>;
  /** The first frame (already received or coming) matching `match`. */
  next(match: (frame: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  /** hello, then the welcome frame. */
  hello(token?: string): Promise<ServerFrame>;
  close(): void;
  terminate(): void;
}

export async function connectRaw(
  url: string,
  options: { headers?: Record<string, string> } = {},
): Promise<RawClient> {
  const ws = new WebSocket(url, { headers: options.headers ?? {} });
  ws.binaryType = 'nodebuffer';
  const frames: ServerFrame[] = [];
  const waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  let rid = 0;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('message', (data: Buffer) => {
    const decoded = decodeServerFrame(new Uint8Array(data));
    if (!decoded.ok)
      throw new Error(`server sent an invalid frame: ${decoded.code} ${decoded.message}`);
    frames.push(decoded.frame);
    for (let i = waiters.length - 1; i >= 0; i -= 1) {
      if (waiters[i]!.match(decoded.frame)) {
        waiters[i]!.resolve(decoded.frame);
        waiters.splice(i, 1);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('error', () => undefined);

  const client: RawClient = {
    frames,
    closed,
    sendBytes(bytes) {
      ws.send(bytes);
    },
    send(frame) {
      ws.send(encodeFrame(frame));
    },
    request(type, payload) {
      rid += 1;
      const id = rid;
      const reply = client.next((f) => f.rid === id);
      ws.send(encodeFrame({ type, rid: id, payload } as ClientFrame));
      return reply;
    },
    next(match, timeoutMs = 5000) {
      const seen = frames.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('timed out waiting for a frame')),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (f) => {
            clearTimeout(timer);
            resolve(f);
          },
        });
      });
    },
    hello(token) {
      return client.request(FrameType.hello, {
        v: PROTOCOL_VERSION,
        ...(token ? { tk: token } : {}),
      });
    },
    close() {
      ws.close();
    },
    terminate() {
      ws.terminate();
    },
  };
  return client;
}
