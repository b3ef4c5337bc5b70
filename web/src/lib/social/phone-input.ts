/**
 * What a person types into the phone field, turned into the E.164 number the API asks for
 * (`POST /auth/sms/send`). The API is strict (a leading `+` is required); people are not: most
 * viewers here type an 11-digit mainland mobile without a country code, so a number without `+`
 * gets the default country (+86) and `00` is read as the international prefix. The checks mirror
 * the API's (core/src/accounts/phone-number.ts), so a typo is caught before a request is spent
 * from the one-a-minute allowance.
 */
export type PhoneInputProblem = 'empty' | 'characters' | 'length' | 'cnMobile' | 'nanp';

export type PhoneInput = { ok: true; e164: string } | { ok: false; problem: PhoneInputProblem };

export const defaultCountryCode = '86';

const separators = /[\s().-]/g;

export function normalisePhoneInput(raw: string, countryCode = defaultCountryCode): PhoneInput {
  const trimmed = raw.trim();
  if (trimmed === '') return { ok: false, problem: 'empty' };
  let international: boolean;
  let body: string;
  if (trimmed.startsWith('+')) {
    international = true;
    body = trimmed.slice(1);
  } else if (trimmed.startsWith('00')) {
    international = true;
    body = trimmed.slice(2);
  } else {
    international = false;
    body = trimmed;
  }
  if (!/^[0-9\s().-]+$/.test(body)) return { ok: false, problem: 'characters' };
  let digits = body.replace(separators, '');
  if (!international) digits = `${countryCode}${digits.replace(/^0+/, '')}`;
  if (!/^[1-9][0-9]{7,14}$/.test(digits)) return { ok: false, problem: 'length' };
  if (digits.startsWith('86') && !/^861[3-9][0-9]{9}$/.test(digits))
    return { ok: false, problem: 'cnMobile' };
  if (digits.startsWith('1') && !/^1[2-9][0-9]{9}$/.test(digits))
    return { ok: false, problem: 'nanp' };
  return { ok: true, e164: `+${digits}` };
}

/** A sign-in code as typed: the 6 digits, whatever spaces a paste from an SMS brought along. */
export function normaliseSmsCode(raw: string): string | null {
  const digits = raw.replace(/\s/g, '');
  return /^[0-9]{6}$/.test(digits) ? digits : null;
}
