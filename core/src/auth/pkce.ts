import { createHash, randomBytes } from 'node:crypto';

/**
 * Proof Key for Code Exchange (RFC 7636) with the S256 method: the verifier stays on the server
 * (oauth_states.code_verifier), its hash goes to the authorize URL, and only a token request that
 * carries the verifier can redeem the code, so an intercepted code is useless on its own.
 */

/** RFC 7636 §4.1: 43 to 128 characters of [A-Za-z0-9-._~]; 32 random bytes in base64url are 43. */
export function newCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))), no padding. */
export function codeChallengeS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
