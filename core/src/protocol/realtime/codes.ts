/**
 * The one numeric table of realtime error codes and WebSocket close codes, with the one function
 * that maps the first onto the second (after Centrifugo's apiproto/errors.go and its disconnect
 * table). Browser-safe: gateway and clients import it. Every code here is documented in
 * docs/protocol.md; codes.test.ts keeps the two in step.
 *
 * Error codes (100–199) travel in an `error` frame; the connection stays open unless the code's
 * `closes` policy says otherwise. Close codes follow RFC 6455 §7.4.2, which leaves 4000–4999 to
 * applications; like Centrifugo we split the range: 4000–4499 mean "reconnect", 4500–4999 mean
 * "do not reconnect automatically".
 */

/** What the client does after a close. */
export type ReconnectPolicy =
  /** Reconnect at once with a random delay (0–5 s) so a restarting fleet is not stampeded. */
  | 'jitter'
  /** Reconnect with exponential backoff (1 s doubling to 30 s, with jitter) and recover. */
  | 'backoff'
  /** Get a fresh token from the API first, then reconnect and recover. */
  | 'newToken'
  /** Do not reconnect automatically: a bug, a ban or an outdated client; tell the user. */
  | 'never';

export const closeCodes = {
  SERVER_RESTART: {
    code: 4000,
    reconnect: 'jitter',
    title: 'The server is shutting down or restarting',
  },
  SLOW_CONSUMER: {
    code: 4001,
    reconnect: 'backoff',
    title: 'The client fell behind and its send buffer overflowed',
  },
  RATE_LIMITED: {
    code: 4002,
    reconnect: 'backoff',
    title: 'The client kept sending after being rate limited',
  },
  AUTH_EXPIRED: {
    code: 4003,
    reconnect: 'newToken',
    title: 'The auth token expired and was not refreshed in time',
  },
  IDLE_TIMEOUT: {
    code: 4004,
    reconnect: 'backoff',
    title: 'Nothing was heard from the client for two ping intervals',
  },
  TRY_AGAIN: {
    code: 4005,
    reconnect: 'backoff',
    title:
      'A backend the gateway needs (Redis, the database) did not answer; reconnect and recover',
  },
  PROTOCOL_VIOLATION: {
    code: 4500,
    reconnect: 'never',
    title: 'The client broke the protocol (malformed or out-of-order frames)',
  },
  PAYLOAD_TOO_LARGE: {
    code: 4501,
    reconnect: 'never',
    title: 'A frame exceeded the size limit announced in welcome',
  },
  AUTH_INVALID: {
    code: 4502,
    reconnect: 'never',
    title: 'The auth token is invalid (bad signature, wrong audience, revoked)',
  },
  UNSUPPORTED_VERSION: {
    code: 4503,
    reconnect: 'never',
    title: 'The server does not speak the protocol version the client asked for',
  },
  BANNED: {
    code: 4504,
    reconnect: 'never',
    title: 'The account or address is banned for abuse',
  },
} as const satisfies Record<string, { code: number; reconnect: ReconnectPolicy; title: string }>;

export type CloseCodeName = keyof typeof closeCodes;
export type CloseCode = (typeof closeCodes)[CloseCodeName]['code'];

/**
 * When an error closes the connection: `never`; `repeated` (the gateway counts strikes and closes
 * past its threshold; a single one may be a transient client bug); `always` (send the error frame,
 * then close).
 */
export type ClosePolicy = 'never' | 'repeated' | 'always';

export const errorCodes = {
  INTERNAL: {
    code: 100,
    closes: 'never',
    close: null,
    title: 'Internal server error; retry later',
  },
  BAD_FRAME: {
    code: 101,
    closes: 'repeated',
    close: 'PROTOCOL_VIOLATION',
    title:
      'Not a valid frame: bad or truncated MessagePack, or not a [type, rid, payload] envelope',
  },
  FRAME_TOO_LARGE: {
    code: 102,
    closes: 'always',
    close: 'PAYLOAD_TOO_LARGE',
    title: 'The frame is larger than the size limit',
  },
  TOO_DEEP: {
    code: 103,
    closes: 'always',
    close: 'PROTOCOL_VIOLATION',
    title: 'The frame nests arrays or maps deeper than the limit',
  },
  UNKNOWN_FRAME_TYPE: {
    code: 104,
    closes: 'repeated',
    close: 'PROTOCOL_VIOLATION',
    title: 'The frame type is unknown in this direction',
  },
  INVALID_PAYLOAD: {
    code: 105,
    closes: 'repeated',
    close: 'PROTOCOL_VIOLATION',
    title: 'The payload does not match the schema of its frame type',
  },
  UNSUPPORTED_VERSION: {
    code: 106,
    closes: 'always',
    close: 'UNSUPPORTED_VERSION',
    title: 'The protocol version in hello is not supported',
  },
  HELLO_REQUIRED: {
    code: 107,
    closes: 'always',
    close: 'PROTOCOL_VIOLATION',
    title: 'The first frame must be hello, and hello is sent once',
  },
  UNAUTHORIZED: {
    code: 108,
    closes: 'never',
    close: null,
    title: 'Sign in first: anonymous viewers may not do this',
  },
  TOKEN_INVALID: {
    code: 109,
    closes: 'always',
    close: 'AUTH_INVALID',
    title: 'The auth token is invalid',
  },
  TOKEN_EXPIRED: {
    code: 110,
    closes: 'always',
    close: 'AUTH_EXPIRED',
    title: 'The auth token has expired',
  },
  PERMISSION_DENIED: {
    code: 111,
    closes: 'never',
    close: null,
    title: 'This viewer may not subscribe to or publish on this channel',
  },
  UNKNOWN_CHANNEL: {
    code: 112,
    closes: 'repeated',
    close: 'PROTOCOL_VIOLATION',
    title: 'The channel name is malformed',
  },
  NOT_FOUND: {
    code: 113,
    closes: 'never',
    close: null,
    title: 'The episode, room or user behind the channel does not exist',
  },
  ALREADY_SUBSCRIBED: {
    code: 114,
    closes: 'never',
    close: null,
    title: 'Already subscribed to this channel on this connection',
  },
  NOT_SUBSCRIBED: {
    code: 115,
    closes: 'never',
    close: null,
    title: 'Not subscribed to this channel on this connection',
  },
  NOT_AVAILABLE: {
    code: 116,
    closes: 'repeated',
    close: 'PROTOCOL_VIOLATION',
    title: 'This frame type is not available on this kind of channel',
  },
  LIMIT_EXCEEDED: {
    code: 117,
    closes: 'never',
    close: null,
    title: 'A per-connection limit (such as subscriptions) is reached',
  },
  RATE_LIMITED: {
    code: 118,
    closes: 'repeated',
    close: 'RATE_LIMITED',
    title: 'Too many frames or messages; slow down',
  },
  TEXT_REJECTED: {
    code: 119,
    closes: 'never',
    close: null,
    title: 'The text is empty, too long, or holds markup, control or bidi-override characters',
  },
  BLOCKED: {
    code: 120,
    closes: 'never',
    close: null,
    title: 'The recipient blocked the sender, or the sender is muted in this room',
  },
  STATE_LOST: {
    code: 121,
    closes: 'never',
    close: null,
    title: 'The server lost its place in this stream; subscribe again with your recovery position',
  },
  ACCOUNT_BANNED: {
    code: 122,
    closes: 'always',
    close: 'BANNED',
    title: 'The account is banned',
  },
} as const satisfies Record<
  string,
  { code: number; closes: ClosePolicy; close: CloseCodeName | null; title: string }
>;

export type ErrorCodeName = keyof typeof errorCodes;
export type ErrorCode = (typeof errorCodes)[ErrorCodeName]['code'];

export const errorCodeNames = Object.keys(errorCodes) as ErrorCodeName[];
export const closeCodeNames = Object.keys(closeCodes) as CloseCodeName[];

const errorByNumber = new Map<number, ErrorCodeName>(
  errorCodeNames.map((name) => [errorCodes[name].code, name]),
);

/** The numeric error code of a name: `errorCode('BAD_FRAME')` → 101. */
export function errorCode(name: ErrorCodeName): ErrorCode {
  return errorCodes[name].code;
}

/**
 * The name of a numeric error code, or null for a code this build does not know (a newer server):
 * clients treat an unknown code like INTERNAL.
 */
export function errorCodeName(code: number): ErrorCodeName | null {
  return errorByNumber.get(code) ?? null;
}

/**
 * The one mapping from an error to the close code the gateway uses when that error closes the
 * connection (at once for `always`, past the strike threshold for `repeated`); null when the error
 * never closes it.
 */
export function closeCodeFor(name: ErrorCodeName): CloseCode | null {
  const close = errorCodes[name].close;
  return close === null ? null : closeCodes[close].code;
}

/**
 * What a client does after the socket closed with `code`, including the RFC 6455 codes a browser
 * or proxy produces: 1000 normal closure (never), 1001 going away, 1006 abnormal closure, 1011
 * internal error, 1012 service restart, 1013 try again later (reconnect), 1008 policy violation and
 * 1009 message too big (never). Unknown app codes follow the range rule.
 */
export function reconnectPolicy(code: number): ReconnectPolicy {
  for (const name of closeCodeNames) {
    if (closeCodes[name].code === code) return closeCodes[name].reconnect;
  }
  switch (code) {
    case 1000:
    case 1008:
    case 1009:
      return 'never';
    case 1012:
      return 'jitter';
    default:
      if (code >= 4500 && code <= 4999) return 'never';
      return 'backoff';
  }
}
