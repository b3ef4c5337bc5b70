import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { signToken, verifyToken } from '@binge/core/auth/tokens';
import { users } from '@binge/core/db/schema';
import type { GuestSession, RealtimeToken, User } from '@binge/core/protocol/catalog';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import { clientFor, createGuest, signInAsGuest } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { SESSION_TTL_MS } from './auth-routes.ts';
import { guestHandlePattern } from './guest-identity.ts';

const DAY = 24 * 3600 * 1000;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`auth routes on ${kind}`, () => {
    let t: TestApp;

    before(async () => {
      t = await openTestApp(kind);
    });
    after(() => t.close());

    test('a guest gets an account of their own and a session token for a year', async () => {
      const before = Date.now();
      const response = await createGuest(t.app);
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.headers['cache-control'], 'no-store');
      const session: GuestSession = response.json();
      assert.match(session.user.handle, guestHandlePattern);
      assert.match(session.user.displayName, /^Guest [1-9]\d{3}$/);
      assert.equal(session.user.role, 'viewer');

      const verified = verifyToken(t.config.authSecret, session.sessionToken, 'session');
      assert.ok(verified.ok);
      assert.equal(verified.claims.sub, session.user.id);
      assert.equal(verified.claims.exp - verified.claims.iat, SESSION_TTL_MS);
      assert.equal(SESSION_TTL_MS, 365 * DAY);
      assert.ok(verified.claims.iat >= before);
      assert.equal(session.expiresAt, new Date(verified.claims.exp).toISOString());

      const [row] = await t.db.db.select().from(users).where(eq(users.id, session.user.id));
      assert.equal(row?.handle, session.user.handle);
      const other: GuestSession = (await createGuest(t.app)).json();
      assert.notEqual(other.user.id, session.user.id);
      assert.notEqual(other.user.handle, session.user.handle);
    });

    test('GET /me answers the signed-in account', async () => {
      const guest = await signInAsGuest(t.app);
      const response = await guest.me();
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['cache-control'], 'private, no-store');
      assert.deepEqual(response.json(), guest.user);
    });

    test('a realtime token is for the gateway, with the role the account has now', async () => {
      const guest = await signInAsGuest(t.app);
      const response = await guest.realtimeToken();
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['cache-control'], 'no-store');
      const rt: RealtimeToken = response.json();
      assert.equal(rt.url, '/ws');
      const verified = verifyToken(t.config.authSecret, rt.token, 'rt');
      assert.ok(verified.ok);
      assert.deepEqual([verified.claims.sub, verified.claims.role], [guest.user.id, 'viewer']);
      assert.equal(
        verified.claims.exp - verified.claims.iat,
        t.config.realtimeTokenTtlSeconds * 1000,
      );
      assert.equal(t.config.realtimeTokenTtlSeconds, 900);
      assert.equal(rt.expiresAt, new Date(verified.claims.exp).toISOString());

      // Promoted after signing in: the session token still says viewer, the gateway must not.
      await t.db.db.update(users).set({ role: 'creator' }).where(eq(users.id, guest.user.id));
      const promoted: RealtimeToken = (await guest.realtimeToken()).json();
      const claims = verifyToken(t.config.authSecret, promoted.token, 'rt');
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
      const sign = (secret: string, nowMs: number) =>
        signToken(secret, {
          userId: guest.user.id,
          role: 'admin',
          audience: 'session',
          ttlMs: DAY,
          nowMs,
        }).token;
      const forged = clientFor(t.app, guest.user, sign('x'.repeat(40), Date.now()));
      const expired = clientFor(t.app, guest.user, sign(t.config.authSecret, Date.now() - 2 * DAY));
      const garbled = clientFor(t.app, guest.user, guest.sessionToken.slice(0, -1));
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
