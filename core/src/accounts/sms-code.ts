import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * One-time sign-in codes: six decimal digits drawn with crypto.randomInt (uniform, no modulo
 * bias), kept only as an HMAC-SHA256 over the phone number and the code. A keyed hash rather than
 * a password hash: there are only 10^6 codes, so any unkeyed hash, however slow, is reversed by
 * trying them all; the key (derived from AUTH_SECRET, never stored beside the rows) is what keeps
 * a leaked sms_codes table from revealing live codes. Guessing is bounded by the attempt counter
 * and the lockouts, not by hashing cost.
 */
export const SMS_CODE_DIGITS = 6;
export const smsCodePattern = /^[0-9]{6}$/;

export type RandomInt = (max: number) => number;

export function newSmsCode(random: RandomInt = randomInt): string {
  return String(random(10 ** SMS_CODE_DIGITS)).padStart(SMS_CODE_DIGITS, '0');
}

/** A key of its own (HKDF, RFC 5869), so a code hash is never a token MAC under the same key. */
export function deriveSmsCodeKey(authSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', authSecret, 'binge', 'sms-code/v1', 32));
}

/** The phone is in the MAC so a hash copied to another number's row does not match there. */
export function hashSmsCode(key: Buffer, phone: string, code: string): string {
  return createHmac('sha256', key).update(`${phone}\n${code}`).digest('base64url');
}

/**
 * Whether `code` is the one hashed in `storedHash`, comparing the MACs in constant time so the
 * response time says nothing about how many leading bytes matched.
 */
export function smsCodeMatches(key: Buffer, phone: string, code: string, storedHash: string) {
  const given = Buffer.from(hashSmsCode(key, phone, code), 'base64url');
  const stored = Buffer.from(storedHash, 'base64url');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
