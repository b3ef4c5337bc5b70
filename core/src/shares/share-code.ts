import { randomBytes } from 'node:crypto';
import { shareCodePattern } from '../protocol/shares.ts';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const length = 10;
/** The largest multiple of 62 a byte can reach: bytes from it up are dropped, so no letter is favoured. */
const unbiasedBelow = 256 - (256 % alphabet.length);

/**
 * A new share code: 10 characters of [A-Za-z0-9] from the system CSPRNG, about 59.5 bits, so
 * codes cannot be enumerated and two shares colliding is a one-in-10^17 event (the store retries
 * it anyway). No `-` or `_`: some chat apps' linkifiers cut a URL short at a trailing one.
 */
export function newShareCode(random: (size: number) => Uint8Array = randomBytes): string {
  let code = '';
  while (code.length < length)
    for (const byte of random(16)) {
      if (byte >= unbiasedBelow) continue;
      code += alphabet[byte % alphabet.length];
      if (code.length === length) break;
    }
  return code;
}

export function isShareCode(value: unknown): value is string {
  return typeof value === 'string' && shareCodePattern.test(value);
}
