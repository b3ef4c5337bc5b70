import { createHash, randomBytes } from 'node:crypto';

/**
 * Random bearer secrets that mean nothing by themselves (refresh tokens, OAuth states, session
 * ids): only the database row they name gives them meaning, so they can be revoked by deleting or
 * marking the row, and a leaked table of their SHA-256 hashes cannot be replayed.
 */

/** 32 random bytes, base64url: 256 bits, far past guessing (RFC 6749 §10.10 asks for 128). */
export function newOpaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** 16 random bytes (22 base64url characters): unguessable, so an id never needs hiding. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * SHA-256, base64url. Enough for a 256-bit random token: there is no dictionary to try, so a slow
 * password hash would only cost CPU on every refresh.
 */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** The alphabet and length of newOpaqueToken(32): checked before any lookup. */
export const opaqueTokenPattern = /^[A-Za-z0-9_-]{43}$/;
