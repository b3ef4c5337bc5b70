import type { ErrorCodeName } from '../realtime/codes.ts';
import type { BackoffOptions, RandomSource } from './backoff.ts';
import { webCryptoRandomBytes, type RandomBytes } from './client-message-id.ts';
import type { ListenerErrorHandler } from './emitter.ts';
import type { ProgressStorage } from './progress-sync.ts';
import type { WebSocketConstructor } from './socket.ts';
import { platformTimers, type Timers } from './timers.ts';

/**
 * The realtime client's options, their defaults and their checks. Everything the client touches
 * outside plain JavaScript comes in here (socket, timers, clock, randomness, storage), so the same
 * code runs in a browser, in Node, and in tests with a clock they move by hand.
 */

/** A frame the gateway sent that the client could not use; it was ignored. */
export interface ProtocolErrorReport {
  readonly code: ErrorCodeName;
  readonly message: string;
}

export interface RealtimeClientOptions {
  /** The gateway, `ws://` or `wss://`, path `/ws`. */
  url: string;
  /** Default: the platform's `WebSocket`. In Node 20, pass `ws`'s. */
  WebSocket?: WebSocketConstructor;
  /**
   * A fresh token from the API: the access token (renewed with `POST /api/v1/auth/refresh`) or a
   * gateway-only one (`POST /api/v1/realtime/token`); null = anonymous.
   */
  getToken: () => Promise<string | null>;
  /** This device's HLC node id (`[A-Za-z0-9_-]{1,32}`), stable per install. */
  hlcNode: string;
  /** Sent in hello for the gateway's logs: printable ASCII, at most 64 characters. */
  userAgent?: string;
  /** Persists the offline progress queue across reloads: pass `localStorage`. */
  storage?: ProgressStorage;
  /**
   * Default 'binge.realtime.progress'. The stored queue does not record whose progress it is, so
   * where several accounts share a device, put the account in the key.
   */
  storageKey?: string;
  /** Most episodes the offline progress queue keeps (progress-queue.ts; default 200). */
  progressCapacity?: number;
  /** Subscribe to the user's `progress:` channel on every connection. Default true. */
  syncProgress?: boolean;
  /** history, feed and ack: fail after this long without a reply. Default 10 s. */
  requestTimeoutMs?: number;
  /** Publishes wait through disconnections until this long after `publish`. Default 30 s. */
  publishDeadlineMs?: number;
  /** Socket open plus welcome. Default 15 s. */
  connectTimeoutMs?: number;
  /** A ping unanswered this long means the socket is dead. Default 10 s. */
  pongTimeoutMs?: number;
  /** When in a token's remaining lifetime to refresh it. Default 0.8. */
  refreshFraction?: number;
  /** Reconnect delays (backoff.ts); the defaults are docs/protocol.md's. */
  backoff?: BackoffOptions;
  /** Jitter of the reconnect delays. Default Math.random. */
  random?: RandomSource;
  /** Randomness of client message ids. Default crypto.getRandomValues. */
  randomBytes?: RandomBytes;
  /** The physical clock, ms since the epoch. Default Date.now. */
  now?: () => number;
  timers?: Timers;
  /** An invalid or unexpected server frame (it is ignored). Default: console.warn. */
  onProtocolError?: (report: ProtocolErrorReport) => void;
  /** An app listener or handler threw. Default: rethrown from a microtask. */
  onListenerError?: ListenerErrorHandler;
}

type Resolved = Required<
  Omit<RealtimeClientOptions, 'userAgent' | 'storage' | 'progressCapacity' | 'onListenerError'>
>;

export type ResolvedClientOptions = Resolved &
  Pick<RealtimeClientOptions, 'userAgent' | 'storage' | 'progressCapacity' | 'onListenerError'>;

const userAgentPattern = /^[\x20-\x7E]{0,64}$/;

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new RangeError(`url is not a URL: ${url}`, { cause });
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new RangeError(`url must be ws:// or wss://, got ${parsed.protocol}`);
  }
}

function checkDuration(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number of milliseconds, got ${value}`);
  }
  return value;
}

function platformWebSocket(): WebSocketConstructor {
  const ctor = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (ctor === undefined) {
    throw new TypeError('no global WebSocket: pass the WebSocket option (ws in Node 20)');
  }
  return ctor;
}

/** Fills in the defaults; throws RangeError or TypeError for an option that cannot work. */
export function resolveClientOptions(options: RealtimeClientOptions): ResolvedClientOptions {
  checkUrl(options.url);
  if (options.userAgent !== undefined && !userAgentPattern.test(options.userAgent)) {
    throw new RangeError('userAgent must be printable ASCII, at most 64 characters');
  }
  const refreshFraction = options.refreshFraction ?? 0.8;
  if (!(refreshFraction > 0 && refreshFraction < 1)) {
    throw new RangeError(`refreshFraction must be in (0, 1), got ${refreshFraction}`);
  }
  if (typeof options.getToken !== 'function') throw new TypeError('getToken is required');
  return {
    ...options,
    WebSocket: options.WebSocket ?? platformWebSocket(),
    storageKey: options.storageKey ?? 'binge.realtime.progress',
    syncProgress: options.syncProgress ?? true,
    requestTimeoutMs: checkDuration('requestTimeoutMs', options.requestTimeoutMs ?? 10_000),
    publishDeadlineMs: checkDuration('publishDeadlineMs', options.publishDeadlineMs ?? 30_000),
    connectTimeoutMs: checkDuration('connectTimeoutMs', options.connectTimeoutMs ?? 15_000),
    pongTimeoutMs: checkDuration('pongTimeoutMs', options.pongTimeoutMs ?? 10_000),
    refreshFraction,
    backoff: options.backoff ?? {},
    random: options.random ?? Math.random,
    randomBytes: options.randomBytes ?? webCryptoRandomBytes,
    now: options.now ?? Date.now,
    timers: options.timers ?? platformTimers,
    onProtocolError:
      options.onProtocolError ??
      ((report) =>
        console.warn(`realtime: ignored a server frame (${report.code}): ${report.message}`)),
  };
}
