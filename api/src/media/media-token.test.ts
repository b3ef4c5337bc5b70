import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mediaTokenExpiry, signMediaToken, verifyMediaToken } from './media-token.ts';

const secret = 'a-test-secret-that-is-long-enough-to-be-real';
const now = 1_700_000_000;
const exp = mediaTokenExpiry(now, 3600);
const token = signMediaToken(secret, 'episodes/12/41/', exp);

test('expiry rounds up to a five-minute bucket', () => {
  assert.equal(mediaTokenExpiry(1000, 0), 1200);
  assert.equal(mediaTokenExpiry(1200, 0), 1200);
  assert.equal(mediaTokenExpiry(1201, 0), 1500);
  assert.equal(exp % 300, 0);
  assert.ok(exp >= now + 3600 && exp < now + 3600 + 300);
  // Two viewers a minute apart in the same bucket share the URL.
  assert.equal(
    signMediaToken(secret, 'episodes/12/41', mediaTokenExpiry(now, 3600)),
    signMediaToken(secret, 'episodes/12/41', mediaTokenExpiry(now + 60, 3600)),
  );
});

test('token shape is exp.depth.sig with a 22-char signature', () => {
  assert.match(token, /^\d+\.3\.[A-Za-z0-9_-]{22}$/);
});

test('grants every key under its scope', () => {
  for (const key of [
    'episodes/12/41/master.m3u8',
    'episodes/12/41/720p/index.m3u8',
    'episodes/12/41/720p/seg-00001.ts',
  ])
    assert.equal(verifyMediaToken(secret, token, key, now), 'ok', key);
});

test('a single-file scope grants exactly that file', () => {
  const single = signMediaToken(secret, 'posters/7.jpg', exp);
  assert.equal(verifyMediaToken(secret, single, 'posters/7.jpg', now), 'ok');
  assert.equal(verifyMediaToken(secret, single, 'posters/8.jpg', now), 'invalid');
});

test('rejects keys outside the scope', () => {
  for (const key of [
    'episodes/12/42/master.m3u8',
    'episodes/13/41/master.m3u8',
    'episodes/12/410/master.m3u8',
    'episodes/12',
    'other/12/41/master.m3u8',
  ])
    assert.equal(verifyMediaToken(secret, token, key, now), 'invalid', key);
});

test('rejects tampering with signature, expiry or depth', () => {
  const [e, d, sig] = token.split('.') as [string, string, string];
  const key = 'episodes/12/41/master.m3u8';
  const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  assert.equal(verifyMediaToken(secret, `${e}.${d}.${flipped}`, key, now), 'invalid');
  assert.equal(verifyMediaToken(secret, `${Number(e) + 300}.${d}.${sig}`, key, now), 'invalid');
  assert.equal(verifyMediaToken(secret, `${e}.2.${sig}`, key, now), 'invalid');
  assert.equal(verifyMediaToken(secret, `${e}.4.${sig}`, key, now), 'invalid');
  assert.equal(verifyMediaToken(secret, `${e}.0.${sig}`, key, now), 'invalid');
  assert.equal(verifyMediaToken('another-secret-entirely-0123456789', token, key, now), 'invalid');
  for (const garbage of [
    '',
    'x',
    `${e}.${d}`,
    `${e}.${d}.${sig}x`,
    `-1.${d}.${sig}`,
    `${e}..${sig}`,
  ])
    assert.equal(verifyMediaToken(secret, garbage, key, now), 'invalid', garbage);
});

test('a genuine token past its expiry is expired, and valid up to the second', () => {
  const key = 'episodes/12/41/master.m3u8';
  assert.equal(verifyMediaToken(secret, token, key, exp), 'ok');
  assert.equal(verifyMediaToken(secret, token, key, exp + 1), 'expired');
});

test('an empty scope cannot be signed', () => {
  assert.throws(() => signMediaToken(secret, '/', exp));
});
