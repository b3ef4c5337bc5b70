import { randomInt } from 'node:crypto';

/**
 * Names of a guest account, made up on the device's first launch. The handle is unique and stays
 * with the account when it is later claimed with a real sign-in; the display name is only for
 * showing in chat until the user picks one, so it may repeat.
 */

/**
 * RFC 4648 base32, lower-cased: handles will be typed and @-mentioned, so they must survive
 * case-folding (base64url would not), and the alphabet has no 0/1/8 to confuse with o/l/b.
 */
const base32 = 'abcdefghijklmnopqrstuvwxyz234567';
const handleChars = 10;

/** Draws a uniform integer in [0, n); crypto's randomInt unless a test fixes it. */
export type RandomInt = (n: number) => number;

const secureRandom: RandomInt = (n) => randomInt(n);

/**
 * `guest_` and 10 base32 characters, 50 bits: even with a billion guests already there, a new
 * handle clashes about once in a million draws, and the insert draws again when it does
 * (auth-routes.ts).
 */
export function guestHandle(random: RandomInt = secureRandom): string {
  return `guest_${handleSuffix(random)}`;
}

function handleSuffix(random: RandomInt): string {
  let suffix = '';
  for (let i = 0; i < handleChars; i++) suffix += base32[random(base32.length)];
  return suffix;
}

/**
 * An account first made by a phone or third-party sign-in (not a guest upgraded in place, which
 * keeps its `guest_` handle): `user_` and the same 10 base32 characters.
 */
export function memberHandle(random: RandomInt = secureRandom): string {
  return `user_${handleSuffix(random)}`;
}

/** `User 4821`, until the user picks a name. */
export function memberDisplayName(random: RandomInt = secureRandom): string {
  return `User ${1000 + random(9000)}`;
}

/** `Guest 4821`: four digits read out and remembered more easily than the handle. */
export function guestDisplayName(random: RandomInt = secureRandom): string {
  return `Guest ${1000 + random(9000)}`;
}

export const guestHandlePattern = /^guest_[a-z2-7]{10}$/;
export const memberHandlePattern = /^user_[a-z2-7]{10}$/;
