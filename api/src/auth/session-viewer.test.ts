import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSqlSessionStore } from '@binge/core/accounts/session-store-sql';
import type { SessionStore } from '@binge/core/accounts/session-store';
import {
  deriveAccessTokenKey,
  REALTIME_AUDIENCE,
  signAccessToken,
} from '@binge/core/auth/access-token';
import type { DatabaseHandle } from '@binge/core/db';
import { openTestDatabase } from '@binge/core/db/testing';
import { users } from '@binge/core/db/schema';
import { AppError } from '../errors/app-error.ts';
import { createSessionChecker, parseBearer, type SessionChecker } from './session-viewer.ts';

const key = deriveAccessTokenKey('session-viewer-test-secret-0123456789abcdef');
const origin = { deviceName: 'Test', userAgent: null, ip: null };

async function refusal(
  checker: SessionChecker,
  authorization: string | string[],
): Promise<AppError> {
  try {
    await checker.viewerOf({ headers: { authorization } });
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

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`createSessionChecker on ${kind}`, () => {
    let handle: DatabaseHandle;
    let sessions: SessionStore;
    let userId: number;
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const nowMs = () => clock;

    before(async () => {
      handle = await openTestDatabase(kind);
      sessions = createSqlSessionStore(handle.db);
      const [row] = await handle.db
        .insert(users)
        .values({ handle: 'viewer-test', displayName: 'Viewer' })
        .returning({ id: users.id });
      userId = row!.id;
    });
    after(() => handle.close());

    async function session() {
      return sessions.create({
        userId,
        origin,
        refreshTokenHash: `hash-${Math.random()}`,
        expiresAt: new Date(clock + 30 * 24 * 3600_000),
        now: new Date(clock),
      });
    }
    const token = async (
      sessionId: string,
      options: Partial<Parameters<typeof signAccessToken>[1]> = {},
    ) =>
      (
        await signAccessToken(key, {
          userId,
          sessionId,
          role: 'viewer',
          ttlSeconds: 60,
          nowMs: clock,
          ...options,
        })
      ).token;

    test('no header is anonymous; a live session’s token names its user and session', async () => {
      const checker = createSessionChecker({ key, sessions, nowMs });
      assert.deepEqual(await checker.viewerOf({ headers: {} }), { userId: null, sessionId: null });
      const sessionId = await session();
      assert.deepEqual(
        await checker.viewerOf({ headers: { authorization: `Bearer ${await token(sessionId)}` } }),
        { userId, sessionId },
      );
    });

    test('a gateway-only token is not an API bearer', async () => {
      const checker = createSessionChecker({ key, sessions, nowMs });
      const error = await refusal(
        checker,
        `Bearer ${await token(await session(), { audience: REALTIME_AUDIENCE })}`,
      );
      assert.equal(error.code, 'SESSION_INVALID');
      assert.match(error.message, /realtime tokens/);
    });

    test('expired tokens have their own code; expiry is exclusive', async () => {
      const checker = createSessionChecker({ key, sessions, nowMs });
      const sessionId = await session();
      const lapsed = await token(sessionId, { nowMs: clock - 60_000 });
      assert.equal((await refusal(checker, `Bearer ${lapsed}`)).code, 'SESSION_EXPIRED');
    });

    test('forged, foreign and garbled tokens are SESSION_INVALID with an RFC 6750 challenge', async () => {
      const checker = createSessionChecker({ key, sessions, nowMs });
      const sessionId = await session();
      const good = await token(sessionId);
      const [header, body, signature] = good.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
      const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString(
        'base64url',
      );
      const foreign = (
        await signAccessToken(deriveAccessTokenKey('another-secret-0123456789abcdef-0123456789'), {
          userId,
          sessionId,
          role: 'viewer',
          ttlSeconds: 60,
          nowMs: clock,
        })
      ).token;
      for (const authorization of [
        `Bearer ${header}.${promoted}.${signature}`,
        `Bearer ${foreign}`,
        `Bearer ${good.slice(0, -2)}`,
        'Bearer v1.abc.def',
        'Bearer nonsense',
        `Basic ${good}`,
        // A genuine token of a session that does not exist (never made, or deleted).
        `Bearer ${await token('AAAAAAAAAAAAAAAAAAAAAA')}`,
      ]) {
        const error = await refusal(checker, authorization);
        assert.equal(error.code, 'SESSION_INVALID', authorization);
        assert.equal(error.status, 401);
        assert.match(
          error.headers!['www-authenticate']!,
          /^Bearer realm="binge", error="invalid_token"/,
        );
      }
    });

    test('a revoked session is refused at once after forget(), and by others after the cache', async () => {
      const here = createSessionChecker({ key, sessions, nowMs, cacheTtlMs: 5000 });
      const elsewhere = createSessionChecker({ key, sessions, nowMs, cacheTtlMs: 5000 });
      const sessionId = await session();
      const authorization = `Bearer ${await token(sessionId)}`;
      await here.viewerOf({ headers: { authorization } });
      await elsewhere.viewerOf({ headers: { authorization } });
      await sessions.revoke(userId, sessionId, 'logout', new Date(clock));
      here.forget([sessionId]);
      assert.equal((await refusal(here, authorization)).code, 'SESSION_REVOKED');
      // The other process still has the session cached as live: within the window it passes.
      assert.equal((await elsewhere.viewerOf({ headers: { authorization } })).sessionId, sessionId);
      clock += 5000;
      assert.equal((await refusal(elsewhere, authorization)).code, 'SESSION_REVOKED');
    });

    test('last seen is written when it is older than the threshold, not on every request', async () => {
      const checker = createSessionChecker({
        key,
        sessions,
        nowMs,
        cacheTtlMs: 0,
        touchAfterMs: 60_000,
      });
      const sessionId = await session();
      const authorization = `Bearer ${await token(sessionId, { ttlSeconds: 3600 })}`;
      const seen = async () => (await sessions.state(sessionId))!.lastSeenAt.getTime();
      const start = await seen();
      clock += 30_000;
      await checker.viewerOf({ headers: { authorization } });
      assert.equal(await seen(), start);
      clock += 31_000;
      await checker.viewerOf({ headers: { authorization } });
      assert.equal(await seen(), clock);
    });
  });
}
