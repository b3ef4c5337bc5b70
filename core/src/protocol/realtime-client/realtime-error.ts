import { errorCodeName, type ErrorCodeName } from '../realtime/codes.ts';

/**
 * Why a request of the realtime client failed, or what went wrong beside one ('error' events).
 *
 * - `server`: the gateway answered `error`; `code` is its numeric code, `codeName` its name.
 * - `invalid`: the client refused to send a frame the gateway would refuse (the same codec check,
 *   so a bad publish costs no round trip and no strike toward a 4500 close); `codeName` says why.
 * - `timeout`: no reply within the request timeout.
 * - `disconnected`: the socket dropped while the request was in flight (publishes are not failed
 *   this way: they wait and are sent again after the reconnect).
 * - `deadline`: a publish could not be delivered before its deadline.
 * - `closed`: the client was closed, by the app or by a close code that forbids reconnecting.
 * - `protocol`: the gateway answered with the wrong frame type for the request.
 * - `token`: `getToken` failed or returned something that is not a token.
 * - `storage`: the progress queue could not be read from or written to storage.
 */
export type RealtimeErrorKind =
  | 'server'
  | 'invalid'
  | 'timeout'
  | 'disconnected'
  | 'deadline'
  | 'closed'
  | 'protocol'
  | 'token'
  | 'storage';

export interface RealtimeErrorDetails {
  /** The numeric protocol error code (server errors keep the gateway's number, known or not). */
  code?: number;
  /** The channel the error concerns, when there is one. */
  ch?: string;
  cause?: unknown;
}

export class RealtimeError extends Error {
  readonly code: number | null;
  /**
   * The protocol name of `code`. A code this build does not know (a newer gateway) reads as
   * INTERNAL, as docs/protocol.md asks clients to treat it; `code` keeps the number.
   */
  readonly codeName: ErrorCodeName | null;
  readonly ch: string | null;

  constructor(
    readonly kind: RealtimeErrorKind,
    message: string,
    details: RealtimeErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RealtimeError';
    this.code = details.code ?? null;
    this.codeName = details.code === undefined ? null : (errorCodeName(details.code) ?? 'INTERNAL');
    this.ch = details.ch ?? null;
  }
}
