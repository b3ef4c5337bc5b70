import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import {
  deriveAccessTokenKey,
  REALTIME_AUDIENCE,
  signAccessToken,
  verifyAccessToken,
} from './access-token.ts';

const key = deriveAccessTokenKey('k'.repeat(40));
const now = 1_800_000_000_000;
const sid = 'AAAAAAAAAAAAAAAAAAAAAA';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS signed by hand with `key`, for tokens the signer would never make. */
function handSigned(header: object, payload: object, signingKey: Uint8Array = key): string {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', signingKey).update(body).digest('base64url')}`;
}

const goodPayload = {
  sub: '7',
  sid,
  role: 'viewer',
  iss: 'binge',
  aud: 'binge-api',
  iat: now / 1000,
  exp: now / 1000 + 60,
};

test('a signed token verifies with its claims until it expires', async () => {
  const { token, claims } = await signAccessToken(key, {
    userId: 7,
    sessionId: sid,
    role: 'creator',
    ttlSeconds: 900,
    nowMs: now + 999,
  });
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]{43}$/);
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
  assert.deepEqual(header, { alg: 'HS256', typ: 'at+jwt' });
  assert.deepEqual(claims, {
    userId: 7,
    sessionId: sid,
    role: 'creator',
    audience: 'binge-api',
    issuedAtMs: now,
    expiresAtMs: now + 900_000,
  });
  assert.deepEqual(await verifyAccessToken(key, token, undefined, now + 899_999), {
    ok: true,
    claims,
  });
  assert.deepEqual(await verifyAccessToken(key, token, undefined, now + 900_000), {
    ok: false,
    reason: 'expired',
  });
});

test('the audience keeps API and realtime tokens apart', async () => {
  const { token } = await signAccessToken(key, {
    userId: 7,
    sessionId: sid,
    role: 'viewer',
    ttlSeconds: 60,
    audience: REALTIME_AUDIENCE,
    nowMs: now,
  });
  assert.deepEqual(await verifyAccessToken(key, token, ['binge-api'], now), {
    ok: false,
    reason: 'audience',
  });
  const both = await verifyAccessToken(key, token, ['binge-api', 'binge-realtime'], now);
  assert.ok(both.ok && both.claims.audience === 'binge-realtime');
});

test('another key, edited claims, alg none and a foreign issuer are refused', async () => {
  const { token } = await signAccessToken(key, {
    userId: 7,
    sessionId: sid,
    role: 'viewer',
    ttlSeconds: 60,
    nowMs: now,
  });
  const otherKey = deriveAccessTokenKey('x'.repeat(40));
  assert.deepEqual(await verifyAccessToken(otherKey, token, undefined, now), {
    ok: false,
    reason: 'signature',
  });
  const [header, , signature] = token.split('.') as [string, string, string];
  const promoted = `${header}.${b64({ ...goodPayload, sub: '1', role: 'admin' })}.${signature}`;
  assert.deepEqual(await verifyAccessToken(key, promoted, undefined, now), {
    ok: false,
    reason: 'signature',
  });
  const none = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(goodPayload)}.`;
  assert.equal((await verifyAccessToken(key, none, undefined, now)).ok, false);
  const hs512 = handSigned({ alg: 'HS512', typ: 'at+jwt' }, goodPayload);
  assert.deepEqual(await verifyAccessToken(key, hs512, undefined, now), {
    ok: false,
    reason: 'malformed',
  });
  // Our key, but an id token's type or another issuer: not an access token of ours.
  for (const forged of [
    handSigned({ alg: 'HS256', typ: 'JWT' }, goodPayload),
    handSigned({ alg: 'HS256' }, goodPayload),
  ])
    assert.deepEqual(await verifyAccessToken(key, forged, undefined, now), {
      ok: false,
      reason: 'malformed',
    });
  const foreignIssuer = handSigned({ alg: 'HS256', typ: 'at+jwt' }, { ...goodPayload, iss: 'x' });
  assert.deepEqual(await verifyAccessToken(key, foreignIssuer, undefined, now), {
    ok: false,
    reason: 'signature',
  });
  // The hand-signed control passes, so the refusals above are about what was changed.
  const control = handSigned({ alg: 'HS256', typ: 'at+jwt' }, goodPayload);
  assert.ok((await verifyAccessToken(key, control, undefined, now)).ok);
});

test('signed claims of the wrong shape are malformed, not trusted', async () => {
  for (const payload of [
    { ...goodPayload, sub: 7 },
    { ...goodPayload, sub: '0' },
    { ...goodPayload, sub: '99999999999' },
    { ...goodPayload, sid: 'short' },
    { ...goodPayload, role: 'root' },
    { ...goodPayload, sid: undefined },
    { ...goodPayload, role: undefined },
  ]) {
    const token = handSigned({ alg: 'HS256', typ: 'at+jwt' }, payload);
    assert.deepEqual(
      await verifyAccessToken(key, token, undefined, now),
      { ok: false, reason: 'malformed' },
      JSON.stringify(payload),
    );
  }
});

test('garbage never throws and is malformed', async () => {
  for (const input of [
    undefined,
    42,
    '',
    'a.b',
    'a..c',
    'v1.e30.' + 'A'.repeat(43),
    '!!!.e30.abc',
    'x'.repeat(5000),
  ]) {
    const verified = await verifyAccessToken(key, input, undefined, now);
    assert.equal(verified.ok, false, String(input));
    assert.equal(!verified.ok && verified.reason, 'malformed', String(input));
  }
});

test('sign refuses bad inputs, and the key needs a real secret', async () => {
  const base = { userId: 1, sessionId: sid, role: 'viewer' as const, ttlSeconds: 1 };
  await assert.rejects(signAccessToken(key, { ...base, userId: 0 }), RangeError);
  await assert.rejects(signAccessToken(key, { ...base, sessionId: 'x' }), RangeError);
  await assert.rejects(signAccessToken(key, { ...base, role: 'root' as 'viewer' }), RangeError);
  await assert.rejects(signAccessToken(key, { ...base, ttlSeconds: 0 }), RangeError);
  assert.throws(() => deriveAccessTokenKey('short'), RangeError);
  assert.notDeepEqual(deriveAccessTokenKey('a'.repeat(32)), deriveAccessTokenKey('b'.repeat(32)));
});
