import { hkdfSync } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

/**
 * Access tokens: short-lived JWTs (RFC 7519) signed HS256 with a key derived from AUTH_SECRET,
 * issued by the API on every sign-in and refresh and verified by the API and by the realtime
 * gateway. Each names its session (`sid`), so revoking the session row ends the token before its
 * `exp` wherever it is checked against the database.
 *
 * Two audiences keep the kinds apart: `binge-api` tokens (the bearer of every API call, also
 * accepted by the gateway) and `binge-realtime` tokens (POST /realtime/token, for the gateway
 * only, so a token handed to a WebSocket library never works against the API).
 *
 * The header's `typ` is `at+jwt` (RFC 9068 §2.1) and verification pins the algorithm, issuer,
 * audience and type, so no other JWT signed with a key of ours can pass for an access token, and
 * nothing in a token chooses how it is checked (RFC 8725 §3.1).
 */
export type TokenRole = 'viewer' | 'creator' | 'admin';
export type TokenAudience = 'binge-api' | 'binge-realtime';

export const ACCESS_TOKEN_ISSUER = 'binge';
export const API_AUDIENCE: TokenAudience = 'binge-api';
export const REALTIME_AUDIENCE: TokenAudience = 'binge-realtime';
const TOKEN_TYPE = 'at+jwt';
const ALGORITHM = 'HS256';
/** Far above a real token (about 300 characters) and within the protocol's `tk` limit. */
const MAX_TOKEN_LENGTH = 4096;

export interface AccessClaims {
  userId: number;
  /** The session (auth_sessions.id) the token belongs to. */
  sessionId: string;
  role: TokenRole;
  audience: TokenAudience;
  /** Issued at, ms since epoch (whole seconds: JWT NumericDate). */
  issuedAtMs: number;
  /** Expires at, ms since epoch (whole seconds). */
  expiresAtMs: number;
}

export type TokenFailure = 'malformed' | 'signature' | 'audience' | 'expired';

export type VerifiedAccessToken =
  { ok: true; claims: AccessClaims } | { ok: false; reason: TokenFailure };

const roles = new Set<string>(['viewer', 'creator', 'admin']);
/** Session ids are 16 random bytes in base64url (session-store-sql.ts). */
export const sessionIdPattern = /^[A-Za-z0-9_-]{22}$/;

/**
 * The HS256 key: HKDF-SHA256 (RFC 5869) of AUTH_SECRET with a purpose label, so the same secret
 * can key other MACs (SMS code hashes) without a token key ever equalling one of them, and so the
 * key is full-length whatever the secret's encoding. 32 bytes: RFC 7518 §3.2 asks for a key at
 * least as long as the hash.
 */
export function deriveAccessTokenKey(authSecret: string): Uint8Array {
  if (authSecret.length < 32) throw new RangeError('AUTH_SECRET must be at least 32 characters');
  return new Uint8Array(hkdfSync('sha256', authSecret, 'binge', 'access-token/v1', 32));
}

export interface SignAccessTokenOptions {
  userId: number;
  sessionId: string;
  role: TokenRole;
  ttlSeconds: number;
  audience?: TokenAudience;
  nowMs?: number;
}

export async function signAccessToken(
  key: Uint8Array,
  options: SignAccessTokenOptions,
): Promise<{ token: string; claims: AccessClaims }> {
  const { userId, sessionId, role, ttlSeconds } = options;
  const audience = options.audience ?? API_AUDIENCE;
  if (!Number.isInteger(userId) || userId < 1 || userId > 2_147_483_647)
    throw new RangeError('userId must be a positive int32');
  if (!sessionIdPattern.test(sessionId)) throw new RangeError('malformed session id');
  if (!roles.has(role)) throw new RangeError(`unknown role ${String(role)}`);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
    throw new RangeError('ttlSeconds must be a positive integer');
  const iat = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const exp = iat + ttlSeconds;
  const token = await new SignJWT({ sid: sessionId, role })
    .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE })
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(audience)
    .setSubject(String(userId))
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
  return {
    token,
    claims: {
      userId,
      sessionId,
      role,
      audience,
      issuedAtMs: iat * 1000,
      expiresAtMs: exp * 1000,
    },
  };
}

function claimsOf(payload: JWTPayload): AccessClaims | null {
  const { sub, sid, role, aud, iat, exp } = payload;
  if (typeof sub !== 'string' || !/^[1-9][0-9]{0,9}$/.test(sub)) return null;
  const userId = Number(sub);
  if (userId > 2_147_483_647) return null;
  if (typeof sid !== 'string' || !sessionIdPattern.test(sid)) return null;
  if (typeof role !== 'string' || !roles.has(role)) return null;
  if (aud !== API_AUDIENCE && aud !== REALTIME_AUDIENCE) return null;
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) return null;
  return {
    userId,
    sessionId: sid,
    role: role as TokenRole,
    audience: aud,
    issuedAtMs: (iat as number) * 1000,
    expiresAtMs: (exp as number) * 1000,
  };
}

/**
 * Checks the signature, type, issuer, audience (one of `audiences`) and expiry, then the claims'
 * shape. Never throws: every failure is a reason. A token whose signature does not verify is
 * `signature` before anything in it is looked at, so a forger learns nothing about the claims.
 */
export async function verifyAccessToken(
  key: Uint8Array,
  token: unknown,
  audiences: readonly TokenAudience[] = [API_AUDIENCE],
  nowMs: number = Date.now(),
): Promise<VerifiedAccessToken> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)
    return { ok: false, reason: 'malformed' };
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token))
    return { ok: false, reason: 'malformed' };
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      typ: TOKEN_TYPE,
      issuer: ACCESS_TOKEN_ISSUER,
      audience: [...audiences],
      currentDate: new Date(nowMs),
      requiredClaims: ['sub', 'sid', 'role', 'iat', 'exp'],
    });
    const claims = claimsOf(payload);
    return claims === null ? { ok: false, reason: 'malformed' } : { ok: true, claims };
  } catch (error) {
    return { ok: false, reason: failureOf(error) };
  }
}

function failureOf(error: unknown): TokenFailure {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  if (error instanceof errors.JWTClaimValidationFailed) {
    // The signature held, so a wrong issuer was still signed with our key: refuse it like a
    // foreign token rather than explaining which claim differed.
    if (error.claim === 'aud') return 'audience';
    if (error.claim === 'iss') return 'signature';
    return 'malformed';
  }
  // JWSInvalid, JWTInvalid, JOSEAlgNotAllowed (alg none, RS256 ...), a `typ` that is not ours.
  return 'malformed';
}
