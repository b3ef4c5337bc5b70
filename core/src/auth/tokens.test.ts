import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signToken, verifyToken } from './tokens.ts';

const secret = 'k'.repeat(40);
const now = 1_800_000_000_000;

test('a signed token verifies with its claims until it expires', () => {
  const { token, claims } = signToken(secret, {
    userId: 7,
    role: 'creator',
    audience: 'rt',
    ttlMs: 60_000,
    nowMs: now,
  });
  assert.match(token, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  const verified = verifyToken(secret, token, 'rt', now + 59_999);
  assert.deepEqual(verified, { ok: true, claims });
  assert.equal(claims.sub, 7);
  assert.equal(claims.exp, now + 60_000);
  assert.deepEqual(verifyToken(secret, token, 'rt', now + 60_000), {
    ok: false,
    reason: 'expired',
  });
});

test('a token of another audience, secret or with edited claims is refused', () => {
  const { token } = signToken(secret, {
    userId: 7,
    role: 'viewer',
    audience: 'session',
    ttlMs: 1000,
    nowMs: now,
  });
  assert.deepEqual(verifyToken(secret, token, 'rt', now), { ok: false, reason: 'audience' });
  assert.deepEqual(verifyToken('x'.repeat(40), token, 'session', now), {
    ok: false,
    reason: 'signature',
  });
  const [v, body, sig] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  claims.sub = 1;
  claims.role = 'admin';
  const forged = `${v}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
  assert.deepEqual(verifyToken(secret, forged, 'session', now), { ok: false, reason: 'signature' });
});

test('garbage never throws and is malformed', () => {
  for (const input of [
    undefined,
    42,
    '',
    'v1',
    'v1..',
    'v2.e30.' + 'A'.repeat(43),
    'v1.e30.short',
    'v1.!!!.' + 'A'.repeat(43),
    'x'.repeat(5000),
  ]) {
    const verified = verifyToken(secret, input, 'rt', now);
    assert.equal(verified.ok, false, String(input));
    assert.equal(verified.ok === false && verified.reason, 'malformed', String(input));
  }
});

test('signed claims that are not the right shape are malformed, not trusted', () => {
  // Sign a body by hand with the right key but wrong shape (as a buggy issuer might).
  const body = Buffer.from(
    JSON.stringify({ sub: '7', role: 'root', aud: 'rt', iat: 0, exp: now * 2, jti: 'x' }),
  ).toString('base64url');
  const sig = createHmac('sha256', secret).update(`v1.${body}`).digest('base64url');
  assert.deepEqual(verifyToken(secret, `v1.${body}.${sig}`, 'rt', now), {
    ok: false,
    reason: 'malformed',
  });
});

test('sign refuses bad inputs', () => {
  assert.throws(
    () => signToken(secret, { userId: 0, role: 'viewer', audience: 'rt', ttlMs: 1 }),
    RangeError,
  );
  assert.throws(
    () => signToken(secret, { userId: 1, role: 'root' as 'viewer', audience: 'rt', ttlMs: 1 }),
    RangeError,
  );
  assert.throws(
    () => signToken(secret, { userId: 1, role: 'viewer', audience: 'rt', ttlMs: 0 }),
    RangeError,
  );
});
