import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import {
  createRecordingSmsSender,
  type RecordingSmsSender,
} from '@binge/core/accounts/sms-sender-recording';
import { authSessions, users } from '@binge/core/db/schema';
import type { SessionList } from '@binge/core/protocol/accounts';
import type { AuthSession } from '@binge/core/protocol/catalog';
import { assertProblem } from '../testing/assert-problem.ts';
import {
  accessTokenFor,
  clientFor,
  clientOf,
  signInAsGuest,
  type SessionClient,
} from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { authClient, signInWithPhone } from './auth-client.ts';

const DAY = 24 * 3600 * 1000;
let phones = 0;
const newPhone = () => `+86136${String(++phones).padStart(8, '0')}`;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`session routes on ${kind}`, () => {
    let t: TestApp;
    let sms: RecordingSmsSender;
    let clock = Date.now();

    before(async () => {
      sms = createRecordingSmsSender();
      t = await openTestApp(
        kind,
        { smsSender: sms },
        {
          signIn: {
            nowMs: () => clock,
            limits: { sendPerPhone: { points: 100, durationSeconds: 60 } },
            sessionCacheTtlMs: 5000,
          },
        },
      );
    });
    after(() => t.close());

    const auth = (client?: SessionClient) =>
      authClient(t.app, client ? { headers: client.headers } : {});

    /** Two devices of one account: two phone sign-ins with the same number. */
    async function twoDevices() {
      const phone = newPhone();
      const first = await signInWithPhone(t.app, sms, phone, { deviceName: 'Phone' });
      clock += 1000;
      const second = await signInWithPhone(t.app, sms, phone, { deviceName: 'Laptop' });
      assert.equal(first.user.id, second.user.id);
      return [clientOf(t.app, first), clientOf(t.app, second)] as const;
    }

    test('refresh answers a new pair; the refresh token rotates and its expiry slides', async () => {
      const guest = await signInAsGuest(t.app);
      const first = guest.session!;
      clock += DAY;
      const response = await auth().refresh(first.refreshToken);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['cache-control'], 'no-store');
      const next: AuthSession = response.json();
      assert.equal(next.sessionId, first.sessionId);
      assert.deepEqual(next.user, first.user);
      assert.notEqual(next.refreshToken, first.refreshToken);
      assert.notEqual(next.accessToken, first.accessToken);
      assert.equal(
        Date.parse(next.refreshTokenExpiresAt) - Date.parse(first.refreshTokenExpiresAt),
        DAY,
      );
      assert.equal((await clientOf(t.app, next).me()).statusCode, 200);
      const [row] = await t.db.db
        .select()
        .from(authSessions)
        .where(eq(authSessions.id, first.sessionId));
      assert.equal(row?.lastSeenAt.getTime(), clock);
    });

    test('a replayed refresh token revokes the family: sibling and access tokens stop at once', async () => {
      const guest = await signInAsGuest(t.app);
      const stolen = guest.session!.refreshToken;
      const rotated: AuthSession = (await auth().refresh(stolen)).json();
      const replay = await auth().refresh(stolen);
      assertProblem(replay, 401, 'REFRESH_TOKEN_REUSED');
      assertProblem(await auth().refresh(rotated.refreshToken), 401, 'SESSION_REVOKED');
      assertProblem(await clientOf(t.app, rotated).me(), 401, 'SESSION_REVOKED');
      assertProblem(await guest.me(), 401, 'SESSION_REVOKED');
      const [row] = await t.db.db
        .select()
        .from(authSessions)
        .where(eq(authSessions.id, rotated.sessionId));
      assert.equal(row?.revokedReason, 'reuse');
    });

    test('two refreshes racing with one token: one pair, and the session is revoked', async () => {
      const guest = await signInAsGuest(t.app);
      const answers = await Promise.all([
        auth().refresh(guest.session!.refreshToken),
        auth().refresh(guest.session!.refreshToken),
      ]);
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 401]);
      const winner: AuthSession = answers.find((a) => a.statusCode === 200)!.json();
      assertProblem(await clientOf(t.app, winner).me(), 401, 'SESSION_REVOKED');
    });

    test('unknown, expired, missing, mistyped and oversized refresh tokens are refused', async () => {
      const guest = await signInAsGuest(t.app);
      assertProblem(await auth().refresh('A'.repeat(43)), 401, 'REFRESH_TOKEN_INVALID');
      assertProblem(await auth().refresh('not-a-token'), 401, 'REFRESH_TOKEN_INVALID');
      assertProblem(await auth().refresh(guest.accessToken), 401, 'REFRESH_TOKEN_INVALID');
      assertProblem(await auth().refresh('x'.repeat(257)), 400, 'VALIDATION_FAILED');
      assertProblem(await auth().refresh(undefined), 400, 'VALIDATION_FAILED');
      assertProblem(await auth().refresh({ token: 'x' }), 400, 'VALIDATION_FAILED');
      assertProblem(
        await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh' }),
        400,
        'VALIDATION_FAILED',
      );
      assertProblem(
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          headers: { 'content-type': 'application/json' },
          payload: '{"refreshToken": ',
        }),
        400,
        'BAD_REQUEST',
      );
      clock += 30 * DAY;
      assertProblem(
        await auth().refresh(guest.session!.refreshToken),
        401,
        'REFRESH_TOKEN_INVALID',
      );
      clock -= 30 * DAY;
    });

    test('a banned account cannot refresh, and its session ends', async () => {
      const guest = await signInAsGuest(t.app);
      await t.db.db
        .update(users)
        .set({ bannedAt: new Date(), banReason: 'spam' })
        .where(eq(users.id, guest.user.id));
      const refused = await auth().refresh(guest.session!.refreshToken);
      assertProblem(refused, 403, 'ACCOUNT_BANNED');
      assert.match(refused.json().detail, /spam/);
      await t.db.db.update(users).set({ bannedAt: null }).where(eq(users.id, guest.user.id));
      assertProblem(await guest.me(), 401, 'SESSION_REVOKED');
    });

    test('logout ends this session only; logout-all ends every one', async () => {
      const [phone, laptop] = await twoDevices();
      const response = await auth(phone).logout();
      assert.equal(response.statusCode, 204, response.body);
      assertProblem(await phone.me(), 401, 'SESSION_REVOKED');
      assertProblem(await auth().refresh(phone.session!.refreshToken), 401, 'SESSION_REVOKED');
      assert.equal((await laptop.me()).statusCode, 200);

      const [tv, tablet] = await twoDevices();
      assert.equal((await auth(tv).logoutAll()).statusCode, 204);
      for (const device of [tv, tablet]) {
        assertProblem(await device.me(), 401, 'SESSION_REVOKED');
        assertProblem(await auth().refresh(device.session!.refreshToken), 401, 'SESSION_REVOKED');
      }
    });

    test('another process sees a logout within the cache window', async () => {
      const other = await openTestApp(
        kind,
        { db: t.db, smsSender: sms, env: { AUTH_SECRET: t.config.authSecret } },
        { signIn: { nowMs: () => clock, sessionCacheTtlMs: 5000 } },
      );
      try {
        const guest = await signInAsGuest(t.app);
        const there = clientFor(other.app, guest.user, guest.accessToken);
        assert.equal((await there.me()).statusCode, 200);
        assert.equal((await auth(guest).logout()).statusCode, 204);
        assertProblem(await guest.me(), 401, 'SESSION_REVOKED');
        assert.equal((await there.me()).statusCode, 200, 'still cached over there');
        clock += 5000;
        assertProblem(await there.me(), 401, 'SESSION_REVOKED');
      } finally {
        await other.close();
      }
    });

    test('the device list: names, times, the most recently seen first, the current one marked', async () => {
      const [phone, laptop] = await twoDevices();
      const response = await auth(laptop).sessions();
      assert.equal(response.statusCode, 200, response.body);
      const { items }: SessionList = response.json();
      assert.deepEqual(
        items.map((s) => [s.id, s.deviceName, s.current, s.createdAt, s.lastSeenAt]),
        [
          [
            laptop.session!.sessionId,
            'Laptop',
            true,
            new Date(clock).toISOString(),
            new Date(clock).toISOString(),
          ],
          [
            phone.session!.sessionId,
            'Phone',
            false,
            new Date(clock - 1000).toISOString(),
            new Date(clock - 1000).toISOString(),
          ],
        ],
      );
      const fromPhone: SessionList = (await auth(phone).sessions()).json();
      assert.deepEqual(
        fromPhone.items.filter((s) => s.current).map((s) => s.id),
        [phone.session!.sessionId],
      );
    });

    test('signing a device out by id; another user’s session is not found, and survives', async () => {
      const [phone, laptop] = await twoDevices();
      const stranger = await signInAsGuest(t.app);
      assert.equal((await auth(laptop).deleteSession(phone.session!.sessionId)).statusCode, 204);
      assertProblem(await phone.me(), 401, 'SESSION_REVOKED');
      assert.equal((await laptop.me()).statusCode, 200);
      const items = (await auth(laptop).sessions()).json().items as { id: string }[];
      assert.deepEqual(
        items.map((s) => s.id),
        [laptop.session!.sessionId],
      );

      for (const id of [
        stranger.session!.sessionId,
        phone.session!.sessionId,
        'AAAAAAAAAAAAAAAAAAAAAA',
        'not-an-id',
        "' or 1=1 --",
        'x'.repeat(100),
      ])
        assertProblem(await auth(laptop).deleteSession(id), 404, 'SESSION_NOT_FOUND');
      // Past the router's parameter length (100), before any route runs.
      assertProblem(await auth(laptop).deleteSession('x'.repeat(2000)), 400, 'BAD_REQUEST');
      assert.equal((await stranger.me()).statusCode, 200);
      assert.equal((await auth(laptop).deleteSession(laptop.session!.sessionId)).statusCode, 204);
      assertProblem(await laptop.me(), 401, 'SESSION_REVOKED');
    });

    test('every session route refuses no token, expired, forged and revoked ones', async () => {
      const guest = await signInAsGuest(t.app);
      const expired = clientFor(
        t.app,
        guest.user,
        await accessTokenFor(t.config, guest, { nowMs: clock - DAY, ttlSeconds: 60 }),
      );
      const forged = clientFor(
        t.app,
        guest.user,
        await accessTokenFor(t.config, guest, { secret: 'f'.repeat(40) }),
      );
      const revoked = await signInAsGuest(t.app);
      await auth(revoked).logout();
      const calls = [
        (c?: SessionClient) => auth(c).logout(),
        (c?: SessionClient) => auth(c).logoutAll(),
        (c?: SessionClient) => auth(c).sessions(),
        (c?: SessionClient) => auth(c).deleteSession(guest.session!.sessionId),
      ];
      for (const call of calls) {
        assertProblem(await call(), 401, 'AUTH_REQUIRED');
        assertProblem(await call(expired), 401, 'SESSION_EXPIRED');
        assertProblem(await call(forged), 401, 'SESSION_INVALID');
        assertProblem(await call(revoked), 401, 'SESSION_REVOKED');
      }
      assert.equal((await guest.me()).statusCode, 200, 'none of that touched the real session');
    });
  });
}
