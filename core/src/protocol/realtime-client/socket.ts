/**
 * The WebSocket the client drives, as a port: the subset of the WHATWG WebSocket interface the
 * client uses. The browser's `WebSocket` and the `ws` package's `WebSocket` (Node) both satisfy it
 * as they are, so the client imports neither and stays browser-safe.
 *
 * Listeners go through `addEventListener` rather than `onmessage`-style properties: method
 * parameters are compared bivariantly, so both implementations' richer event types fit these
 * minimal ones without casts.
 */

export interface MessageEventLike {
  /** An ArrayBuffer for a binary message once `binaryType` is 'arraybuffer'; a string for text. */
  readonly data: unknown;
}

export interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
}

export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  /**
   * `ws` only: destroys the TCP socket at once. Its `close()` waits up to 30 s for the peer's close
   * frame, which a dead peer never sends; browsers have no such method and tear down by themselves.
   */
  terminate?(): void;
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
  addEventListener(type: 'close', listener: (event: CloseEventLike) => void): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** WebSocket.OPEN of the WHATWG interface; `ws` uses the same numbers. */
export const SOCKET_OPEN = 1;

/**
 * RFC 6455 §7.4.1: "abnormal closure", the code a browser reports when a connection drops without a
 * close frame. The client uses it for the failures it detects itself (no pong, no welcome, the
 * token request failed), so they follow the same reconnect policy as a dropped connection.
 */
export const ABNORMAL_CLOSURE = 1006;

/** RFC 6455 §7.4.1: normal closure, sent by `close()`. */
export const NORMAL_CLOSURE = 1000;
