import type { WebSocket } from 'uWebSockets.js';
import type { TokenRole } from '@binge/core/auth/access-token';
import type { PublicationPayload } from '@binge/core/protocol/realtime/payloads';
import type { TokenBucketState } from '../limits/token-bucket.ts';

/**
 * The state of one WebSocket connection on this node (uWS user data). Every handler that awaits
 * checks `closed` after each await before touching `ws`: uWS invalidates a closed socket, and a
 * call on it throws.
 */
export interface Connection {
  /** Connection id, sent in welcome. */
  readonly id: string;
  /** Client address: the peer, or X-Forwarded-For's first hop when the peer is a trusted proxy. */
  readonly ip: string;
  /** A token given on upgrade (`?token=`), used when hello carries none. */
  readonly upgradeToken: string | null;
  ws: WebSocket<ConnectionRef> | null;
  closed: boolean;
  helloDone: boolean;
  /**
   * Set while the gateway checks the hello's token, session and account (not signed out, not
   * banned): frames that arrive meanwhile wait for it, so nothing runs before the welcome (or the
   * refusal).
   */
  admission: Promise<void> | null;
  userId: number | null;
  role: TokenRole;
  /** Token expiry, ms since epoch; 0 when anonymous. */
  exp: number;
  openedAt: number;
  lastSeen: number;
  /** Channels subscribed (attached to the fan-out) on this connection. */
  readonly subs: Set<string>;
  /** Channels whose subscribe is in flight (existence check, recovery read). */
  readonly pending: Set<string>;
  /** Episodes this connection watches (danmu or live subscribed): the viewers gauge. */
  readonly watching: Set<number>;
  /** Publications of reliable channels waiting for this tick's flush. */
  outbox: PublicationPayload[];
  outboxBytes: number;
  /** Frames bucket (checked synchronously on every inbound frame). */
  frames: TokenBucketState | undefined;
  subscribes: TokenBucketState | undefined;
  /** Errors with a `repeated` close policy so far. */
  strikes: number;
}

/** uWS copies user data into the socket; a reference keeps one mutable object per connection. */
export interface ConnectionRef {
  connection: Connection;
}

export function newConnection(
  id: string,
  ip: string,
  token: string | null,
  now: number,
): Connection {
  return {
    id,
    ip,
    upgradeToken: token,
    ws: null,
    closed: false,
    helloDone: false,
    admission: null,
    userId: null,
    role: 'viewer',
    exp: 0,
    openedAt: now,
    lastSeen: now,
    subs: new Set(),
    pending: new Set(),
    watching: new Set(),
    outbox: [],
    outboxBytes: 0,
    frames: undefined,
    subscribes: undefined,
    strikes: 0,
  };
}
