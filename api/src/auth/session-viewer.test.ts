import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { signToken } from '@binge/core/auth/tokens';
import { AppError } from '../errors/app-error.ts';
import { createSessionViewer, parseBearer } from './session-viewer.ts';

const secret = 'session-viewer-test-secret-0123456789abcdef';
const now = 1_800_000_000_000;
const viewerOf = createSessionViewer(secret, () => now);
const session = (options: Partial<Parameters<typeof signToken>[1]> = {}) =>
  signToken(secret, {
    userId: 42,
    role: 'viewer',
    audience: 'session',
    ttlMs: 60_000,
    nowMs: now,
    ...options,
  }).token;

function refusal(authorization: string | string[]): AppError {
  try {
    viewerOf({ headers: { authorization } });
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  assert.fail(`${String(authorization)} was accepted`);
}

describe('parseBearer', () => {
  test('absent, well-formed and malformed headers', () => {
    assert.deepEqual(parseBearer(undefined), { kind: 'absent' });
    assert.deepEqual(parseBearer('Bearer abc.def-_'), { kind: 'token', token: 'abc.def-_' });
    // RFC 9110 §11.1: the scheme is case-insensitive; RFC 6750 b64token allows ~+/ and = padding.
    assert.deepEqual(parseBearer('bearer a~b+c/d=='), { kind: 'token', token: 'a~b+c/d==' });
    assert.deepEqual(parseBearer('BEARER   x '), { kind: 'token', token: 'x' });
    for (const header of [
      '',
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwdw==',
      'Bearer a b',
      'Bearer a=b',
    ])
      assert.deepEqual(parseBearer(header), { kind: 'malformed' }, JSON.stringify(header));
    assert.deepEqual(parseBearer(['Bearer a', 'Bearer b']), { kind: 'malformed' });
  });
});

describe('createSessionViewer', () => {
  test('no header is an anonymous viewer; a session token names its user', () => {
    assert.deepEqual(viewerOf({ headers: {} }), { userId: null });
    assert.deepEqual(viewerOf({ headers: { authorization: `Bearer ${session()}` } }), {
      userId: 42,
    });
  });

  test('a gateway token is not a session', () => {
    const error = refusal(`Bearer ${session({ audience: 'rt' })}`);
    assert.equal(error.code, 'SESSION_INVALID');
    assert.match(error.message, /realtime tokens/);
  });

  test('expired sessions have their own code', () => {
    const expired = session({ nowMs: now - 120_000 });
    assert.equal(refusal(`Bearer ${expired}`).code, 'SESSION_EXPIRED');
    // Expiry is exclusive: a token is dead at exactly its exp.
    assert.equal(refusal(`Bearer ${session({ nowMs: now - 60_000 })}`).code, 'SESSION_EXPIRED');
  });

  test('forged, foreign and garbled tokens are SESSION_INVALID with an RFC 6750 challenge', () => {
    const token = session();
    const [version, body, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const promoted = Buffer.from(JSON.stringify({ ...claims, sub: 1 })).toString('base64url');
    const foreign = signToken('another-secret-0123456789abcdef-0123456789', {
      userId: 42,
      role: 'viewer',
      audience: 'session',
      ttlMs: 60_000,
      nowMs: now,
    }).token;
    for (const header of [
      `Bearer ${version}.${promoted}.${signature}`,
      `Bearer ${foreign}`,
      `Bearer ${token.slice(0, -2)}`,
      'Bearer v2.abc.def',
      'Bearer nonsense',
      `Basic ${token}`,
    ]) {
      const error = refusal(header);
      assert.equal(error.code, 'SESSION_INVALID', header);
      assert.equal(error.status, 401);
      assert.match(
        error.headers!['www-authenticate']!,
        /^Bearer realm="binge", error="invalid_token"/,
      );
    }
  });
});
