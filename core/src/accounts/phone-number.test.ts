import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskPhoneNumber, parsePhoneNumber } from './phone-number.ts';

test('typed forms of one number normalise to the same E.164', () => {
  for (const input of [
    '+8613800138000',
    '+86 138 0013 8000',
    ' +86-138-0013-8000 ',
    '+86 (138) 0013.8000',
  ])
    assert.deepEqual(parsePhoneNumber(input), { ok: true, e164: '+8613800138000' }, input);
  assert.deepEqual(parsePhoneNumber('+44 7911 123456'), { ok: true, e164: '+447911123456' });
  assert.deepEqual(parsePhoneNumber('+1 (415) 555-2671'), { ok: true, e164: '+14155552671' });
  assert.deepEqual(parsePhoneNumber('+852 5123 4567'), { ok: true, e164: '+85251234567' });
});

test('everything else is refused with a reason', () => {
  for (const input of [
    undefined,
    8613800138000,
    '',
    '13800138000',
    '008613800138000',
    '+',
    '+0123456789',
    '+1234567',
    '+1234567890123456',
    '+86 138 0013 800a',
    '+86１３８００１３８０００',
    '+86+13800138000',
    '+8612800138000',
    '+861380013800',
    '+1 015 555 2671',
    '+1 415 555 267',
    '+86 138\n0013 8000',
    '+' + '1'.repeat(40),
  ]) {
    const parsed = parsePhoneNumber(input);
    assert.equal(parsed.ok, false, JSON.stringify(input));
    assert.ok(!parsed.ok && parsed.reason.length > 0);
  }
});

test('masking keeps the country code and the last four digits', () => {
  assert.equal(maskPhoneNumber('+8613800138000'), '+86*******8000');
  assert.equal(maskPhoneNumber('+14155552671'), '+1******2671');
  assert.equal(maskPhoneNumber('+447911123456'), '+44******3456');
});
