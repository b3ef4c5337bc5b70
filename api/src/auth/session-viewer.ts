import { verifyToken, type TokenFailure } from '@binge/core/auth/tokens';
import type { ErrorCode } from '@binge/core/protocol/errors';
import { AppError } from '../errors/app-error.ts';
import type { Viewer } from '../playback/entitlements.ts';

/**
 * Who a request comes from, read from `Authorization: Bearer <session token>`. No header means an
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

function sessionError(code: ErrorCode, detail: string): AppError {
  return new AppError(code, detail, {
    'www-authenticate': `${challenge}, error="invalid_token", error_description="${detail}"`,
  });
}

const failureDetail: Record<TokenFailure, string> = {
  malformed: 'The session token is malformed',
  signature: 'The session token was not issued by this server',
  audience: 'This is not a session token; realtime tokens are for the gateway only',
  expired: 'The session token has expired; create a new session',
};

export function authRequired(detail = 'Send Authorization: Bearer <session token>'): AppError {
  return new AppError('AUTH_REQUIRED', detail, { 'www-authenticate': challenge });
}

/** The account behind a genuine token is gone: the client must start a new session. */
export function accountGone(userId: number): AppError {
  return sessionError('SESSION_INVALID', `The account ${userId} of this session no longer exists`);
}

/**
 * The viewer of a request by its bearer session token (audience `session`, so a gateway token is
 * refused). Throws AUTH_... problems as AppError; never touches the database: routes that need the
 * account itself load it (see session-guard.ts).
 */
export function createSessionViewer(
  secret: string,
  nowMs: () => number = Date.now,
): (request: { headers: Record<string, string | string[] | undefined> }) => Viewer {
  return (request) => {
    const parsed = parseBearer(request.headers.authorization);
    if (parsed.kind === 'absent') return { userId: null };
    if (parsed.kind === 'malformed')
      throw sessionError('SESSION_INVALID', 'The Authorization header is not Bearer <token>');
    const verified = verifyToken(secret, parsed.token, 'session', nowMs());
    if (verified.ok) return { userId: verified.claims.sub };
    throw sessionError(
      verified.reason === 'expired' ? 'SESSION_EXPIRED' : 'SESSION_INVALID',
      failureDetail[verified.reason],
    );
  };
}
