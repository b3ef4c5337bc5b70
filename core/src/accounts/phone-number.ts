/**
 * Phone numbers as sign-in identities, normalised to E.164 (ITU-T E.164: `+`, a country code, at
 * most 15 digits in all) so one number is one identity however it was typed. Deliberately small
 * and strict: a leading `+` is required (no national or `00` forms to guess a country from), the
 * separators people type (spaces, `-`, `.`, parentheses) are dropped, and anything else refuses.
 * Two checks go further where we know the plan: mainland China mobiles (+86, 11 digits starting
 * 13–19), where SMS sign-in is used most, and NANP numbers (+1, 10 digits, area code 2–9).
 */
export type PhoneParse = { ok: true; e164: string } | { ok: false; reason: string };

/** Longer input is refused before looking at it: 15 digits with separators fit well within. */
const MAX_INPUT_LENGTH = 32;

export function parsePhoneNumber(input: unknown): PhoneParse {
  if (typeof input !== 'string') return { ok: false, reason: 'must be a string' };
  if (input.length > MAX_INPUT_LENGTH)
    return { ok: false, reason: `must be at most ${MAX_INPUT_LENGTH} characters` };
  const trimmed = input.trim();
  if (!trimmed.startsWith('+'))
    return { ok: false, reason: 'must start with + and the country code' };
  const rest = trimmed.slice(1);
  if (!/^[0-9 ().-]+$/.test(rest))
    return { ok: false, reason: 'may only contain digits after + (and spaces, -, ., parentheses)' };
  const digits = rest.replace(/[ ().-]/g, '');
  if (!/^[1-9][0-9]{7,14}$/.test(digits))
    return { ok: false, reason: 'must be 8 to 15 digits, the first not 0' };
  if (digits.startsWith('86') && !/^861[3-9][0-9]{9}$/.test(digits))
    return { ok: false, reason: 'a +86 mobile number has 11 digits starting 13 to 19' };
  if (digits.startsWith('1') && !/^1[2-9][0-9]{9}$/.test(digits))
    return { ok: false, reason: 'a +1 number has 10 digits, the area code starting 2 to 9' };
  return { ok: true, e164: `+${digits}` };
}

/** `+86*******8000`: enough for the owner to recognise the number, not enough to dial it. */
export function maskPhoneNumber(e164: string): string {
  const visibleTail = 4;
  const countryDigits = e164.startsWith('+1') ? 1 : 2;
  const head = e164.slice(0, 1 + countryDigits);
  const tail = e164.slice(-visibleTail);
  return `${head}${'*'.repeat(Math.max(0, e164.length - head.length - visibleTail))}${tail}`;
}
