import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import {
  deriveAccessTokenKey,
  REALTIME_AUDIENCE,
  verifyAccessToken,
} from '@binge/core/auth/access-token';
import { authSessions, users } from '@binge/core/db/schema';
import type { GuestSession, RealtimeToken, User } from '@binge/core/protocol/catalog';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import {
  accessTokenFor,
  clientFor,
  createGuest,
  signInAsGuest,
} from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { guestHandlePattern } from './guest-identity.ts';

const DAY = 24 * 3600 * 1000;
const iPhone =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`auth routes on ${kind}`, () => {
    let t: TestApp;

    before(async () => {
      t = await openTestApp(kind);
    });
    after(() => t.close());

    test('a guest gets an account of their own and a session: access and refresh token', async () => {
      const before = Math.floor(Date.now() / 1000) * 1000;
      const response = await createGuest(t.app);
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.headers['cache-control'], 'no-store');
      const session: GuestSession = response.json();
      assert.match(session.user.handle, guestHandlePattern);
      assert.match(session.user.displayName, /^Guest [1-9]\d{3}$/);
      assert.equal(session.user.role, 'viewer');

      const key = deriveAccessTokenKey(t.config.authSecret);
      const verified = await verifyAccessToken(key, session.accessToken);
      assert.ok(verified.ok);
      assert.equal(verified.claims.userId, session.user.id);
      assert.equal(verified.claims.sessionId, session.sessionId);
      assert.equal(verified.claims.expiresAtMs - verified.claims.issuedAtMs, 15 * 60_000);
      assert.ok(verified.claims.issuedAtMs >= before);
      assert.equal(
        session.accessTokenExpiresAt,
        new Date(verified.claims.expiresAtMs).toISOString(),
      );
      assert.match(session.refreshToken, /^[A-Za-z0-9_-]{43}$/);
      const refreshDays = (Date.parse(session.refreshTokenExpiresAt) - Date.now()) / DAY;
      assert.ok(refreshDays > 29.99 && refreshDays <= 30, String(refreshDays));
      const [stored] = await t.db.db
        .select()
        .from(authSessions)
        .where(eq(authSessions.id, session.sessionId));
      assert.equal(stored?.userId, session.user.id);
      assert.equal(stored?.deviceName, 'Unknown device');

      const [row] = await t.db.db.select().from(users).where(eq(users.id, session.user.id));
      assert.equal(row?.handle, session.user.handle);
      const other: GuestSession = (await createGuest(t.app)).json();
      assert.notEqual(other.user.id, session.user.id);
      assert.notEqual(other.user.handle, session.user.handle);
    });

    test('OpenAPI documents every sign-in and session route with its errors', async () => {
      const doc = (await t.app.inject('/docs/json')).json();
      const routes: Array<[string, string, string[]]> = [
        ['/api/v1/auth/guest', 'post', ['RATE_LIMITED']],
        ['/api/v1/auth/refresh', 'post', ['REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_INVALID']],
        ['/api/v1/auth/logout', 'post', ['SESSION_REVOKED']],
        ['/api/v1/auth/logout-all', 'post', ['AUTH_REQUIRED']],
        ['/api/v1/me/sessions', 'get', ['SESSION_EXPIRED']],
        ['/api/v1/me/sessions/{id}', 'delete', ['SESSION_NOT_FOUND']],
        ['/api/v1/auth/sms/send', 'post', ['PHONE_INVALID', 'SMS_SEND_FAILED']],
        ['/api/v1/auth/sms/verify', 'post', ['SMS_CODE_INVALID', 'SIGN_IN_LOCKED']],
        ['/api/v1/me/identities', 'get', ['AUTH_REQUIRED']],
        ['/api/v1/me/identities/phone', 'post', ['IDENTITY_TAKEN']],
        ['/api/v1/me/identities/{provider}', 'delete', ['LAST_SIGN_IN_METHOD']],
        ['/api/v1/auth/oauth/{provider}/start', 'get', ['PROVIDER_NOT_FOUND']],
        [
          '/api/v1/auth/oauth/{provider}/callback',
          'get',
          ['OAUTH_STATE_INVALID', 'OAUTH_PROVIDER_ERROR'],
        ],
      ];
      for (const [path, method, codes] of routes) {
        const operation = doc.paths[path]?.[method];
        assert.ok(operation, `${method} ${path} missing from OpenAPI`);
        assert.deepEqual(operation.tags, ['auth']);
        const text = JSON.stringify(operation.responses);
        for (const code of codes) assert.ok(text.includes(code), `${code} not on ${path}`);
      }
      assert.deepEqual(doc.paths['/api/v1/auth/logout'].post.security, [{ session: [] }]);
      assert.deepEqual(doc.paths['/api/v1/auth/sms/verify'].post.security, [{}, { session: [] }]);
      assert.equal(doc.paths['/api/v1/auth/refresh'].post.security, undefined);
      assert.equal(doc.components.securitySchemes.session.bearerFormat, 'JWT');
    });

    test('GET /me answers the signed-in account', async () => {
      const guest = await signInAsGuest(t.app);
      const response = await guest.me();
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['cache-control'], 'private, no-store');
      assert.deepEqual(response.json(), guest.user);
    });

    test('a guest names its device, or the user agent does', async () => {
      const named = await createGuest(t.app, '127.0.0.1', { deviceName: '  Living-room TV ' });
      assert.equal(named.statusCode, 201, named.body);
      const fromAgent = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/guest',
        headers: { 'user-agent': iPhone },
      });
      const names = [];
      for (const response of [named, fromAgent]) {
        const { sessionId } = response.json() as GuestSession;
        const [row] = await t.db.db
          .select()
          .from(authSessions)
          .where(eq(authSessions.id, sessionId));
        names.push([row?.deviceName, row?.userAgent, row?.ip]);
      }
      assert.deepEqual(names, [
        // light-my-request's own user agent: any client sends one.
        ['Living-room TV', 'lightMyRequest', '127.0.0.1'],
        ['Safari on iPhone', iPhone, '127.0.0.1'],
      ]);
      for (const deviceName of ['', 'x'.repeat(65), {}, null])
        assertProblem(
          await createGuest(t.app, '127.0.0.1', { deviceName }),
          400,
          'VALIDATION_FAILED',
        );
    });

    test('a realtime token is for the gateway, of this session, with the role the account has now', async () => {
      const guest = await signInAsGuest(t.app);
      const response = await guest.realtimeToken();
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['cache-control'], 'no-store');
      const rt: RealtimeToken = response.json();
      assert.equal(rt.url, '/ws');
      const key = deriveAccessTokenKey(t.config.authSecret);
      const verified = await verifyAccessToken(key, rt.token, [REALTIME_AUDIENCE]);
      assert.ok(verified.ok);
      assert.deepEqual(
        [verified.claims.userId, verified.claims.role, verified.claims.sessionId],
        [guest.user.id, 'viewer', guest.session?.sessionId],
      );
      assert.equal(
        verified.claims.expiresAtMs - verified.claims.issuedAtMs,
        t.config.realtimeTokenTtlSeconds * 1000,
      );
      assert.equal(t.config.realtimeTokenTtlSeconds, 900);
      assert.equal(rt.expiresAt, new Date(verified.claims.expiresAtMs).toISOString());

      // Promoted after signing in: the access token still says viewer, the gateway must not.
      await t.db.db.update(users).set({ role: 'creator' }).where(eq(users.id, guest.user.id));
      const promoted: RealtimeToken = (await guest.realtimeToken()).json();
      const claims = await verifyAccessToken(key, promoted.token, [REALTIME_AUDIENCE]);
      assert.ok(claims.ok);
      assert.equal(claims.claims.role, 'creator');
      assert.equal(((await guest.me()).json() as User).role, 'creator');
    });

    test('a realtime token cannot be used as a session', async () => {
      const guest = await signInAsGuest(t.app);
      const rt: RealtimeToken = (await guest.realtimeToken()).json();
      const impostor = clientFor(t.app, guest.user, rt.token);
      assertProblem(await impostor.me(), 401, 'SESSION_INVALID');
      assertProblem(await impostor.realtimeToken(), 401, 'SESSION_INVALID');
    });

    test('no bearer is AUTH_REQUIRED; forged, garbled and expired ones are refused', async () => {
      const guest = await signInAsGuest(t.app);
      for (const url of ['/api/v1/me', '/api/v1/realtime/token']) {
        const method = url === '/api/v1/me' ? 'GET' : 'POST';
        const anonymous = await t.app.inject({ method, url });
        assertProblem(anonymous, 401, 'AUTH_REQUIRED');
        assert.equal(anonymous.headers['www-authenticate'], 'Bearer realm="binge"');
      }
      const forged = clientFor(
        t.app,
        guest.user,
        await accessTokenFor(t.config, guest, { role: 'admin', secret: 'x'.repeat(40) }),
      );
      const expired = clientFor(
        t.app,
        guest.user,
        await accessTokenFor(t.config, guest, { ttlSeconds: 60, nowMs: Date.now() - 2 * DAY }),
      );
      const garbled = clientFor(t.app, guest.user, guest.accessToken.slice(0, -1));
      for (const call of ['me', 'realtimeToken'] as const) {
        const refused = await forged[call]();
        assertProblem(refused, 401, 'SESSION_INVALID');
        assert.match(String(refused.headers['www-authenticate']), /error="invalid_token"/);
        assertProblem(await garbled[call](), 401, 'SESSION_INVALID');
        assertProblem(await expired[call](), 401, 'SESSION_EXPIRED');
      }
      const basic = await t.app.inject({
        url: '/api/v1/me',
        headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      });
      assertProblem(basic, 401, 'SESSION_INVALID');
    });

    test('the session of a deleted account is refused', async () => {
      const guest = await signInAsGuest(t.app);
      await t.db.db.delete(users).where(eq(users.id, guest.user.id));
      const me = await guest.me();
      assertProblem(me, 401, 'SESSION_INVALID');
      assert.match(me.json().detail, /no longer exists/);
      assertProblem(await guest.realtimeToken(), 401, 'SESSION_INVALID');
    });

    test('playback sees the signed-in viewer, and a bad bearer there is a 401 too', async () => {
      const viewers: (number | null)[] = [];
      const paywalled = await openTestApp(kind, {
        db: t.db,
        entitlements: {
          canWatch: async (viewer) => {
            viewers.push(viewer.userId);
            return true;
          },
        },
      });
      try {
        const categoryId = await insertCategory(t.db.db, { slug: 'auth-drama' });
        const seriesId = await insertSeries(t.db.db, { slug: 'auth-s', categoryId });
        const { episodeId } = await insertEpisode(t.db.db, { seriesId, number: 1 });
        const guest = await signInAsGuest(paywalled.app);
        const url = `/api/v1/episodes/${episodeId}/playback`;
        assert.equal((await paywalled.app.inject({ url, headers: guest.headers })).statusCode, 200);
        assert.equal((await paywalled.app.inject(url)).statusCode, 200);
        assert.deepEqual(viewers, [guest.user.id, null]);
        const rt: RealtimeToken = (await guest.realtimeToken()).json();
        assertProblem(
          await paywalled.app.inject({ url, headers: { authorization: `Bearer ${rt.token}` } }),
          401,
          'SESSION_INVALID',
        );
        assert.equal(viewers.length, 2, 'the paywall is never asked about a refused request');
      } finally {
        await paywalled.close();
      }
    });

    test('a deployment can name another gateway URL', async () => {
      const scaled = await openTestApp(kind, { db: t.db }, { realtimeUrl: 'wss://rt.example/ws' });
      try {
        const guest = await signInAsGuest(scaled.app);
        assert.equal((await guest.realtimeToken()).json().url, 'wss://rt.example/ws');
      } finally {
        await scaled.close();
      }
    });

    test('guest creation is limited to 20 an hour per IP address', async () => {
      const limited = await openTestApp(kind, { db: t.db });
      try {
        for (let i = 0; i < 20; i++)
          assert.equal((await createGuest(limited.app, '203.0.113.7')).statusCode, 201);
        const refused = await createGuest(limited.app, '203.0.113.7');
        assertProblem(refused, 429, 'RATE_LIMITED');
        const retryAfter = Number(refused.headers['retry-after']);
        assert.ok(retryAfter > 3500 && retryAfter <= 3600, String(retryAfter));
        assert.equal((await createGuest(limited.app, '203.0.113.8')).statusCode, 201);
        // Only guest creation is limited: the same address still signs in and browses.
        assert.equal((await limited.app.inject({ url: '/api/v1/categories' })).statusCode, 200);
      } finally {
        await limited.close();
      }
    });

    test('behind a trusted proxy the limit is per client, not per proxy', async () => {
      const proxied = await openTestApp(
        kind,
        { db: t.db },
        { trustProxy: '127.0.0.1', guestLimit: { max: 1, timeWindowMs: 60_000 } },
      );
      try {
        const via = (client: string) =>
          proxied.app.inject({
            method: 'POST',
            url: '/api/v1/auth/guest',
            remoteAddress: '127.0.0.1',
            headers: { 'x-forwarded-for': client },
          });
        assert.equal((await via('198.51.100.1')).statusCode, 201);
        assert.equal((await via('198.51.100.2')).statusCode, 201);
        assertProblem(await via('198.51.100.1'), 429, 'RATE_LIMITED');
      } finally {
        await proxied.close();
      }
    });
  });
}
