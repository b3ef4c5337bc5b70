import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePhoneInput, normaliseSmsCode } from './phone-input.ts';

test('a mainland mobile without a country code gets +86', () => {
  assert.deepEqual(normalisePhoneInput('138 0013 8000'), { ok: true, e164: '+8613800138000' });
  assert.deepEqual(normalisePhoneInput('138-0013-8000'), { ok: true, e164: '+8613800138000' });
});

test('+ and 00 are international prefixes; separators are dropped', () => {
  assert.deepEqual(normalisePhoneInput('+86 138 0013 8000'), { ok: true, e164: '+8613800138000' });
  assert.deepEqual(normalisePhoneInput('0044 (20) 7946-0958'), { ok: true, e164: '+442079460958' });
  assert.deepEqual(normalisePhoneInput('+1 (415) 555-0100'), { ok: true, e164: '+14155550100' });
});

test('another default country is used when given', () => {
  assert.deepEqual(normalisePhoneInput('020 7946 0958', '44'), { ok: true, e164: '+442079460958' });
});

test('bad input names its problem', () => {
  assert.deepEqual(normalisePhoneInput('   '), { ok: false, problem: 'empty' });
  assert.deepEqual(normalisePhoneInput('138abc'), { ok: false, problem: 'characters' });
  assert.deepEqual(normalisePhoneInput('+12'), { ok: false, problem: 'length' });
  assert.deepEqual(normalisePhoneInput('+0861380013800'), { ok: false, problem: 'length' });
  assert.deepEqual(normalisePhoneInput('12345678901'), { ok: false, problem: 'cnMobile' });
  assert.deepEqual(normalisePhoneInput('+86 138 0013 800'), { ok: false, problem: 'cnMobile' });
  assert.deepEqual(normalisePhoneInput('+1 015 555 0100'), { ok: false, problem: 'nanp' });
});

test('a code is six digits; spaces from a paste are dropped', () => {
  assert.equal(normaliseSmsCode(' 123 456 '), '123456');
  assert.equal(normaliseSmsCode('12345'), null);
  assert.equal(normaliseSmsCode('12345a'), null);
});
