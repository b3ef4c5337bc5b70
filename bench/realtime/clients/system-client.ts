/**
 * The port every system's client adapter implements inside a load worker: open a subscriber (a
 * viewer of one danmu room), open a publisher, publish. Adapters: binge-client.ts (our protocol
 * over `ws`), socketio-client.ts (socket.io-client), ws-client.ts (JSON over `ws`).
 */
import type { DanmuSend } from '../danmu-payload.ts';
import type { Tally } from '../tally.ts';
import type { Identity, PublisherIdentity, Target } from '../worker-protocol.ts';

export interface Connection {
  /** Closes from our side; the close is not counted as a server close. */
  close(): void;
  isOpen(): boolean;
}

export interface Publisher extends Connection {
  /** Sends one danmu; resolves with `ok` or the reason it failed. Never rejects. */
  publish(danmu: DanmuSend): Promise<'ok' | string>;
}

export interface SystemClient {
  /**
   * A viewer of `room`. With `measure`, it decodes every publication and records its latency;
   * without, it only counts them, as cheaply as the system's client allows (the load generator
   * shares the machine with the server).
   */
  subscriber(
    target: Target,
    room: string,
    identity: Identity,
    tally: Tally,
    measure: boolean,
  ): Promise<Connection>;
  publisher(
    target: Target,
    room: string,
    identity: PublisherIdentity,
    tally: Tally,
  ): Promise<Publisher>;
}

/** How long a handshake (upgrade, hello, subscribe) or a publish may take before it fails. */
export const handshakeTimeoutMs = 30_000;
export const publishTimeoutMs = 10_000;

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
