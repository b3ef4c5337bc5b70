import { API_AUDIENCE, verifyAccessToken, type TokenFailure } from '@binge/core/auth/access-token';
import type { SessionState, SessionStore } from '@binge/core/accounts/session-store';
import type { ErrorCode } from '@binge/core/protocol/errors';
import { AppError } from '../errors/app-error.ts';
import type { Viewer } from '../playback/entitlements.ts';
import { createSessionCache } from './session-cache.ts';

/**
 * Who a request comes from, read from `Authorization: Bearer <access token>`. No header means an
 * anonymous viewer; a header that is there but wrong is a 401, never a silent fall-back to
 * anonymous, so a client with a broken or stale session learns it at once instead of quietly
 * losing its purchases and progress.
 */

/**
 * RFC 6750 §2.1: `Bearer` then one or more spaces and a b64token. The scheme is case-insensitive
 * (RFC 9110 §11.1). Our tokens only use `[A-Za-z0-9._-]`, but the grammar is checked as written so
 * that the error says "not a bearer header" only when it is not one.
 */
const bearerHeader = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export type BearerParse =
  { kind: 'absent' } | { kind: 'token'; token: string } | { kind: 'malformed' };

export function parseBearer(header: string | string[] | undefined): BearerParse {
  if (header === undefined) return { kind: 'absent' };
  // Node joins repeated Authorization headers; an array only comes from a hand-built request.
  if (typeof header !== 'string') return { kind: 'malformed' };
  const match = bearerHeader.exec(header);
  return match ? { kind: 'token', token: match[1]! } : { kind: 'malformed' };
}

/** RFC 6750 §3: a 401 names the scheme, and for a bad token says `invalid_token`. */
const challenge = 'Bearer realm="binge"';

export function sessionError(code: ErrorCode, detail: string): AppError {
  return new AppError(code, detail, {
    'www-authenticate': `${challenge}, error="invalid_token", error_description="${detail}"`,
  });
}

const failureDetail: Record<TokenFailure, string> = {
  malformed: 'The access token is malformed',
  signature: 'The access token was not issued by this server',
  audience: 'This is not an API access token; realtime tokens are for the gateway only',
  expired: 'The access token has expired; renew it at POST /api/v1/auth/refresh',
};

export function authRequired(detail = 'Send Authorization: Bearer <access token>'): AppError {
  return new AppError('AUTH_REQUIRED', detail, { 'www-authenticate': challenge });
}

/** The account behind a genuine token is gone: the client must sign in again. */
export function accountGone(userId: number): AppError {
  return sessionError('SESSION_INVALID', `The account ${userId} of this session no longer exists`);
}

/** A viewer and the session its token belongs to (null when anonymous). */
export interface SessionViewer extends Viewer {
  sessionId: string | null;
}

export interface SessionChecker {
  viewerOf(request: {
    headers: Record<string, string | string[] | undefined>;
  }): Promise<SessionViewer>;
  /** Drops cached lookups of sessions this process just revoked, so they are refused at once. */
  forget(sessionIds: Iterable<string>): void;
}

export interface SessionCheckerOptions {
  key: Uint8Array;
  sessions: SessionStore;
  /**
   * How long a session lookup is reused in this process: how late, at most, another process's
   * revocation is seen here. 5 s unless set; 0 reads the database on every request.
   */
  cacheTtlMs?: number;
  /** Last-seen is written when older than this, not on every request. */
  touchAfterMs?: number;
  nowMs?: () => number;
}

const DEFAULT_CACHE_TTL_MS = 5000;
const DEFAULT_TOUCH_AFTER_MS = 5 * 60_000;
const CACHE_ENTRIES = 50_000;

/**
 * The viewer of a request by its bearer access token: the JWT is verified (audience `binge-api`,
 * so a gateway-only token is refused), then its session is looked up (briefly cached), so that a
 * signed-out or revoked session is refused before the token's own expiry. Throws AUTH_... and
 * SESSION_... problems as AppError; the account itself is loaded by the guard (session-guard.ts).
 */
export function createSessionChecker(options: SessionCheckerOptions): SessionChecker {
  const nowMs = options.nowMs ?? Date.now;
  const touchAfterMs = options.touchAfterMs ?? DEFAULT_TOUCH_AFTER_MS;
  const cache = createSessionCache<SessionState | null>({
    ttlMs: options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
    maxEntries: CACHE_ENTRIES,
    now: nowMs,
  });

  async function stateOf(sessionId: string): Promise<SessionState | null> {
    const cached = cache.get(sessionId);
    if (cached !== undefined) return cached;
    const state = await options.sessions.state(sessionId);
    cache.set(sessionId, state);
    return state;
  }

  return {
    forget: (sessionIds) => cache.forget(sessionIds),

    async viewerOf(request) {
      const parsed = parseBearer(request.headers.authorization);
      if (parsed.kind === 'absent') return { userId: null, sessionId: null };
      if (parsed.kind === 'malformed')
        throw sessionError('SESSION_INVALID', 'The Authorization header is not Bearer <token>');
      const now = nowMs();
      const verified = await verifyAccessToken(options.key, parsed.token, [API_AUDIENCE], now);
      if (!verified.ok)
        throw sessionError(
          verified.reason === 'expired' ? 'SESSION_EXPIRED' : 'SESSION_INVALID',
          failureDetail[verified.reason],
        );
      const { userId, sessionId } = verified.claims;
      const state = await stateOf(sessionId);
      if (state === null || state.userId !== userId)
        throw sessionError('SESSION_INVALID', 'The session of this token no longer exists');
      // A ban also revokes the sessions; saying "banned" rather than "signed out" tells the
      // client not to send the person back to a sign-in that would be refused too.
      if (state.banned)
        throw new AppError('ACCOUNT_BANNED', `The account ${userId} is banned; see support`);
      if (state.revokedAt !== null || state.expiresAt.getTime() <= now)
        throw sessionError('SESSION_REVOKED', 'This session was signed out; sign in again');
      if (now - state.lastSeenAt.getTime() > touchAfterMs) {
        state.lastSeenAt = new Date(now);
        await options.sessions.touch(sessionId, state.lastSeenAt);
      }
      return { userId, sessionId };
    },
  };
}
