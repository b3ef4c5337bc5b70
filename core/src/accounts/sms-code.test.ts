import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  deriveSmsCodeKey,
  hashSmsCode,
  newSmsCode,
  smsCodeMatches,
  smsCodePattern,
} from './sms-code.ts';

const key = deriveSmsCodeKey('s'.repeat(40));

test('codes are six digits, zero-padded, over the whole range', () => {
  assert.equal(
    newSmsCode(() => 0),
    '000000',
  );
  assert.equal(
    newSmsCode((max) => max - 1),
    '999999',
  );
  assert.equal(
    newSmsCode(() => 4217),
    '004217',
  );
  for (let i = 0; i < 200; i++) assert.match(newSmsCode(), smsCodePattern);
});

test('a code matches only its own phone and key', () => {
  const stored = hashSmsCode(key, '+8613800138000', '123456');
  assert.ok(smsCodeMatches(key, '+8613800138000', '123456', stored));
  assert.equal(smsCodeMatches(key, '+8613800138000', '123457', stored), false);
  assert.equal(smsCodeMatches(key, '+8613800138001', '123456', stored), false);
  assert.equal(
    smsCodeMatches(deriveSmsCodeKey('t'.repeat(40)), '+8613800138000', '123456', stored),
    false,
  );
  assert.equal(smsCodeMatches(key, '+8613800138000', '123456', 'short'), false);
  assert.equal(smsCodeMatches(key, '+8613800138000', '123456', ''), false);
  assert.doesNotMatch(stored, /123456/);
});
