/**
 * Client message ids (`cmid`): the idempotency key of a danmu, chat or DM send. A send retried
 * after a reconnect carries the same cmid, and the gateway answers `ok {dup: true}` with the
 * original offset instead of storing it twice (docs/protocol.md "Batching and backpressure").
 *
 * 22 characters of the URL-safe base64 alphabet carry 132 random bits, as many as a UUIDv4's 122
 * and then some, within the protocol's `[A-Za-z0-9_-]{8,64}`.
 */

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export const CLIENT_MESSAGE_ID_LENGTH = 22;

/** Fills a byte array with cryptographically strong random values (Web Crypto's signature). */
export type RandomBytes = (bytes: Uint8Array) => Uint8Array;

interface WebCrypto {
  getRandomValues(bytes: Uint8Array): Uint8Array;
}

/**
 * `crypto.getRandomValues` of the platform: browsers and Node ≥ 19 have it on globalThis. Resolved
 * when called, so a missing Web Crypto fails the first send clearly instead of the import.
 */
export const webCryptoRandomBytes: RandomBytes = (bytes) => {
  const crypto = (globalThis as { crypto?: WebCrypto }).crypto;
  if (crypto === undefined || typeof crypto.getRandomValues !== 'function') {
    throw new Error('crypto.getRandomValues is not available: pass randomBytes to the client');
  }
  return crypto.getRandomValues(bytes);
};

export function createClientMessageId(randomBytes: RandomBytes = webCryptoRandomBytes): string {
  const bytes = randomBytes(new Uint8Array(CLIENT_MESSAGE_ID_LENGTH));
  let id = '';
  // 256 is a multiple of 64, so the low six bits of a uniform byte are uniform: no modulo bias.
  for (const byte of bytes) id += alphabet.charAt(byte & 63);
  return id;
}
