import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed bearer tokens shared by the API (which issues them) and the realtime gateway (which
 * verifies them), keyed by the one AUTH_SECRET. Compact and JWT-like, but with a single fixed
 * algorithm so nothing in the token chooses how it is checked:
 *
 *   v1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(secret, "v1." + claims part))>
 *
 * Audiences keep the kinds apart: a long-lived `session` token (the device's sign-in) can never be
 * used where a short-lived `rt` token (the gateway's) is expected, and the other way round.
 * The alphabet (`[A-Za-z0-9._-]`) fits the protocol's `tk` pattern and a URL query.
 */
export type TokenAudience = 'session' | 'rt';
export type TokenRole = 'viewer' | 'creator' | 'admin';

export interface TokenClaims {
  /** user id */
  sub: number;
  role: TokenRole;
  aud: TokenAudience;
  /** issued at, ms since epoch */
  iat: number;
  /** expires at, ms since epoch */
  exp: number;
  /** token id: random, for logs and revocation lists */
  jti: string;
}

export type TokenFailure = 'malformed' | 'signature' | 'audience' | 'expired';

export type VerifiedToken = { ok: true; claims: TokenClaims } | { ok: false; reason: TokenFailure };

const version = 'v1';
const maxTokenLength = 4096;
const roles = new Set<TokenRole>(['viewer', 'creator', 'admin']);

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`${version}.${body}`).digest();
}

export interface SignOptions {
  userId: number;
  role: TokenRole;
  audience: TokenAudience;
  ttlMs: number;
  nowMs?: number;
}

export function signToken(
  secret: string,
  options: SignOptions,
): { token: string; claims: TokenClaims } {
  const { userId, role, audience, ttlMs } = options;
  if (!Number.isInteger(userId) || userId < 1 || userId > 2_147_483_647) {
    throw new RangeError('userId must be a positive int32');
  }
  if (!roles.has(role)) throw new RangeError(`unknown role ${String(role)}`);
  if (!Number.isInteger(ttlMs) || ttlMs < 1)
    throw new RangeError('ttlMs must be a positive integer');
  const iat = options.nowMs ?? Date.now();
  const claims: TokenClaims = {
    sub: userId,
    role,
    aud: audience,
    iat,
    exp: iat + ttlMs,
    jti: randomBytes(9).toString('base64url'),
  };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return { token: `${version}.${body}.${mac(secret, body).toString('base64url')}`, claims };
}

function isClaims(value: unknown): value is TokenClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    Number.isInteger(c.sub) &&
    (c.sub as number) >= 1 &&
    (c.sub as number) <= 2_147_483_647 &&
    typeof c.role === 'string' &&
    roles.has(c.role as TokenRole) &&
    (c.aud === 'session' || c.aud === 'rt') &&
    Number.isSafeInteger(c.iat) &&
    Number.isSafeInteger(c.exp) &&
    typeof c.jti === 'string'
  );
}

/**
 * Checks format, signature (constant time), audience and expiry, in that order, so an attacker
 * learns nothing about claims they could not have signed. Never throws.
 */
export function verifyToken(
  secret: string,
  token: unknown,
  audience: TokenAudience,
  nowMs: number = Date.now(),
): VerifiedToken {
  if (typeof token !== 'string' || token.length > maxTokenLength) {
    return { ok: false, reason: 'malformed' };
  }
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== version) return { ok: false, reason: 'malformed' };
  const [, body, signature] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) {
    return { ok: false, reason: 'malformed' };
  }
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature' };
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isClaims(claims)) return { ok: false, reason: 'malformed' };
  if (claims.aud !== audience) return { ok: false, reason: 'audience' };
  if (claims.exp <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
