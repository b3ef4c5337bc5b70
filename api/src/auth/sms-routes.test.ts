import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import {
  createRecordingSmsSender,
  type RecordingSmsSender,
} from '@binge/core/accounts/sms-sender-recording';
import { authSessions, smsCodes, users } from '@binge/core/db/schema';
import type { IdentityList, SmsCodeSent } from '@binge/core/protocol/accounts';
import type { AuthSession } from '@binge/core/protocol/catalog';
import { engagementClient } from '../engagement/engagement-client.ts';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertSeries } from '../testing/catalog-fixtures.ts';
import { clientFor, clientOf, signInAsGuest } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { authClient, signInWithPhone } from './auth-client.ts';
import { memberHandlePattern } from './guest-identity.ts';
import type { SignInLimitSettings } from './sign-in-limits.ts';

const MINUTE = 60_000;
let phones = 0;
const newPhone = () => `+86135${String(++phones).padStart(8, '0')}`;
let ips = 0;
const newIp = () => `198.51.100.${++ips}`;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`phone sign-in routes on ${kind}`, () => {
    let t: TestApp;
    let sms: RecordingSmsSender;
    let clock = Date.now();

    /** Another app on the same database, with its own limits and SMS adapter. */
    async function appWith(limits: Partial<SignInLimitSettings>) {
      const recorder = createRecordingSmsSender();
      const app = await openTestApp(
        kind,
        { db: t.db, smsSender: recorder, env: { AUTH_SECRET: t.config.authSecret } },
        { signIn: { nowMs: () => clock, limits } },
      );
      return { ...app, sms: recorder };
    }

    before(async () => {
      sms = createRecordingSmsSender();
      // Several codes to one number within a minute: the per-minute limit has its own test.
      t = await openTestApp(
        kind,
        { smsSender: sms },
        {
          signIn: {
            nowMs: () => clock,
            limits: { sendPerPhone: { points: 100, durationSeconds: 60 } },
          },
        },
      );
    });
    after(() => t.close());

    const device = (ip = newIp()) => authClient(t.app, { ip });

    test('a code is sent: six digits, 5 minutes, only its hash stored', async () => {
      const phone = newPhone();
      const response = await device().smsSend(phone.replace(/(\d{3})(\d{4})(\d{4})$/, ' $1 $2-$3'));
      assert.equal(response.statusCode, 202, response.body);
      assert.equal(response.headers['cache-control'], 'no-store');
      const sent: SmsCodeSent = response.json();
      assert.equal(sent.expiresAt, new Date(clock + 5 * MINUTE).toISOString());
      assert.equal(sent.resendAfterSeconds, 60);
      const message = sms.sent.at(-1)!;
      assert.equal(message.to, phone);
      assert.match(message.code, /^\d{6}$/);
      assert.ok(message.text.includes(message.code));
      const rows = await t.db.db.select().from(smsCodes).where(eq(smsCodes.phone, phone));
      assert.equal(rows.length, 1);
      assert.ok(!JSON.stringify(rows).includes(message.code));
    });

    test('bad phone numbers and bodies are refused before anything is sent', async () => {
      const before = sms.sent.length;
      for (const phone of ['13800138000', '+86 12800138000', '+0123', '+86abc', '+1 012 555 0100'])
        assertProblem(await device().smsSend(phone), 400, 'PHONE_INVALID');
      for (const phone of [undefined, { n: 1 }, 'x'.repeat(33), ''])
        assertProblem(await device().smsSend(phone), 400, 'VALIDATION_FAILED');
      assert.equal(sms.sent.length, before);
    });

    test('one code a minute per number, with Retry-After', async () => {
      const defaults = await appWith({});
      try {
        const phone = newPhone();
        const send = () => authClient(defaults.app, { ip: newIp() }).smsSend(phone);
        assert.equal((await send()).statusCode, 202);
        const again = await send();
        assertProblem(again, 429, 'RATE_LIMITED');
        const wait = Number(again.headers['retry-after']);
        assert.ok(wait > 0 && wait <= 60, String(wait));
      } finally {
        await defaults.close();
      }
    });

    test('daily and per-address send limits', async () => {
      const limited = await appWith({
        sendPerPhone: { points: 100, durationSeconds: 60 },
        sendPerPhoneDaily: { points: 3, durationSeconds: 86_400 },
        sendPerIp: { points: 5, durationSeconds: 3600 },
      });
      try {
        const phone = newPhone();
        for (let i = 0; i < 3; i++)
          assert.equal(
            (await authClient(limited.app, { ip: newIp() }).smsSend(phone)).statusCode,
            202,
          );
        assertProblem(
          await authClient(limited.app, { ip: newIp() }).smsSend(phone),
          429,
          'RATE_LIMITED',
        );
        const pump = authClient(limited.app, { ip: newIp() });
        for (let i = 0; i < 5; i++) assert.equal((await pump.smsSend(newPhone())).statusCode, 202);
        const refused = await pump.smsSend(newPhone());
        assertProblem(refused, 429, 'RATE_LIMITED');
        assert.match(refused.json().detail, /address/);
      } finally {
        await limited.close();
      }
    });

    test('a provider failure is 502 and does not cost the minute', async () => {
      const defaults = await appWith({});
      try {
        const phone = newPhone();
        const send = () => authClient(defaults.app, { ip: newIp() }).smsSend(phone);
        defaults.sms.failNext();
        assertProblem(await send(), 502, 'SMS_SEND_FAILED');
        assert.equal((await send()).statusCode, 202);
      } finally {
        await defaults.close();
      }
    });

    test('a new number makes a member account; signing in again finds it', async () => {
      const phone = newPhone();
      const first = await signInWithPhone(t.app, sms, phone, { deviceName: 'Mei’s phone' });
      assert.match(first.user.handle, memberHandlePattern);
      assert.match(first.user.displayName, /^User [1-9]\d{3}$/);
      const [row] = await t.db.db.select().from(users).where(eq(users.id, first.user.id));
      assert.equal(row?.isGuest, false);
      const me = clientOf(t.app, first);
      assert.deepEqual((await me.me()).json(), first.user);
      const identities: IdentityList = (
        await authClient(t.app, { headers: me.headers }).identities()
      ).json();
      assert.equal(identities.isGuest, false);
      assert.deepEqual(
        identities.items.map((i) => [i.provider, i.hint]),
        [['phone', `+86*******${phone.slice(-4)}`]],
      );
      const [session] = await t.db.db
        .select()
        .from(authSessions)
        .where(eq(authSessions.id, first.sessionId));
      assert.equal(session?.deviceName, 'Mei’s phone');

      clock += 2 * MINUTE;
      const again = await signInWithPhone(t.app, sms, phone);
      assert.equal(again.user.id, first.user.id);
      assert.notEqual(again.sessionId, first.sessionId);
    });

    test('a guest signing in with a new number keeps its account, likes included', async () => {
      const categoryId = await insertCategory(t.db.db, { slug: `sms-${kind}-${Date.now()}` });
      const seriesId = await insertSeries(t.db.db, {
        slug: `sms-s-${kind}-${Date.now()}`,
        categoryId,
      });
      const guest = await signInAsGuest(t.app);
      assert.equal(
        (await engagementClient(t.app, guest).add('like', 'series', seriesId)).statusCode,
        200,
      );

      const session = await signInWithPhone(t.app, sms, newPhone(), { headers: guest.headers });
      assert.equal(session.user.id, guest.user.id);
      assert.equal(session.user.handle, guest.user.handle);
      const member = clientOf(t.app, session);
      const likes = (
        await engagementClient(t.app, member).list('like', 'targetType=series')
      ).json();
      assert.deepEqual(
        likes.items.map((item: { targetId: number }) => item.targetId),
        [seriesId],
      );
      const identities: IdentityList = (
        await authClient(t.app, { headers: member.headers }).identities()
      ).json();
      assert.equal(identities.isGuest, false);
      // The guest session of the device is superseded by the new one.
      assertProblem(await guest.me(), 401, 'SESSION_REVOKED');
      const [old] = await t.db.db
        .select()
        .from(authSessions)
        .where(eq(authSessions.id, guest.session!.sessionId));
      assert.equal(old?.revokedReason, 'merged');
    });

    test('a guest signing in with a number already linked signs in to that account', async () => {
      const phone = newPhone();
      const owner = await signInWithPhone(t.app, sms, phone);
      clock += 2 * MINUTE;
      const guest = await signInAsGuest(t.app);
      const session = await signInWithPhone(t.app, sms, phone, { headers: guest.headers });
      assert.equal(session.user.id, owner.user.id);
      assert.equal((await guest.me()).statusCode, 200, 'the guest account is left as it was');
      const [row] = await t.db.db.select().from(users).where(eq(users.id, guest.user.id));
      assert.equal(row?.isGuest, true);
    });

    test('wrong, reused, expired and never-sent codes are SMS_CODE_INVALID', async () => {
      const phone = newPhone();
      const client = device();
      await client.smsSend(phone);
      const code = sms.lastCodeTo(phone);
      const wrong = code === '000000' ? '000001' : '000000';
      const refused = await client.smsVerify({ phone, code: wrong });
      assertProblem(refused, 400, 'SMS_CODE_INVALID');
      assert.match(refused.json().detail, /4 more tries/);
      assert.equal((await client.smsVerify({ phone, code })).statusCode, 200);
      assertProblem(await client.smsVerify({ phone, code }), 400, 'SMS_CODE_INVALID');

      const late = newPhone();
      await client.smsSend(late);
      clock += 5 * MINUTE;
      assertProblem(
        await client.smsVerify({ phone: late, code: sms.lastCodeTo(late) }),
        400,
        'SMS_CODE_INVALID',
      );
      assertProblem(
        await client.smsVerify({ phone: newPhone(), code: '123456' }),
        400,
        'SMS_CODE_INVALID',
      );
    });

    test('five wrong guesses kill a code; ten wrong codes lock the number for an hour', async () => {
      const resends = await appWith({ sendPerPhone: { points: 100, durationSeconds: 60 } });
      try {
        const phone = newPhone();
        const client = authClient(resends.app, { ip: newIp() });
        const wrongFor = (code: string) => (code === '999999' ? '999998' : '999999');
        await client.smsSend(phone);
        const first = resends.sms.lastCodeTo(phone);
        for (let i = 0; i < 5; i++)
          assertProblem(
            await client.smsVerify({ phone, code: wrongFor(first) }),
            400,
            'SMS_CODE_INVALID',
          );
        // Dead after five: the right code is refused too (and counts as the sixth failure).
        assertProblem(await client.smsVerify({ phone, code: first }), 400, 'SMS_CODE_INVALID');

        await client.smsSend(phone);
        const second = resends.sms.lastCodeTo(phone);
        for (let i = 0; i < 3; i++)
          assertProblem(
            await client.smsVerify({ phone, code: wrongFor(second) }),
            400,
            'SMS_CODE_INVALID',
          );
        const locking = await client.smsVerify({ phone, code: wrongFor(second) });
        assertProblem(locking, 429, 'SIGN_IN_LOCKED');
        const lockedFor = Number(locking.headers['retry-after']);
        assert.ok(lockedFor > 3500 && lockedFor <= 3600, String(lockedFor));
        // Locked: the right code is refused now, from any address.
        assertProblem(
          await authClient(resends.app, { ip: newIp() }).smsVerify({ phone, code: second }),
          429,
          'SIGN_IN_LOCKED',
        );
        // The address is not locked by one number's failures.
        const other = newPhone();
        await client.smsSend(other);
        const signedIn = await client.smsVerify({
          phone: other,
          code: resends.sms.lastCodeTo(other),
        });
        assert.equal(signedIn.statusCode, 200, signedIn.body);
      } finally {
        await resends.close();
      }
    });

    test('wrong codes across numbers lock the address', async () => {
      const strict = await appWith({
        failuresPerIp: { points: 3, durationSeconds: 3600, lockSeconds: 3600 },
      });
      try {
        const attacker = authClient(strict.app, { ip: newIp() });
        const targets = [newPhone(), newPhone(), newPhone(), newPhone()];
        for (const phone of targets) await authClient(strict.app, { ip: newIp() }).smsSend(phone);
        const guess = (phone: string) =>
          attacker.smsVerify({
            phone,
            code: strict.sms.lastCodeTo(phone) === '111111' ? '111112' : '111111',
          });
        assertProblem(await guess(targets[0]!), 400, 'SMS_CODE_INVALID');
        assertProblem(await guess(targets[1]!), 400, 'SMS_CODE_INVALID');
        const locked = await guess(targets[2]!);
        assertProblem(locked, 429, 'SIGN_IN_LOCKED');
        assert.match(locked.json().detail, /address/);
        assertProblem(
          await attacker.smsVerify({
            phone: targets[3]!,
            code: strict.sms.lastCodeTo(targets[3]!),
          }),
          429,
          'SIGN_IN_LOCKED',
        );
        // The owner of the fourth number, elsewhere, is not affected.
        const owner = await authClient(strict.app, { ip: newIp() }).smsVerify({
          phone: targets[3]!,
          code: strict.sms.lastCodeTo(targets[3]!),
        });
        assert.equal(owner.statusCode, 200, owner.body);
      } finally {
        await strict.close();
      }
    });

    test('malformed verify bodies are 400 and cost no guess', async () => {
      const phone = newPhone();
      const client = device();
      await client.smsSend(phone);
      const code = sms.lastCodeTo(phone);
      for (const body of [
        { phone, code: 'abcdef' },
        { phone, code: '12345' },
        { phone, code: '1234567' },
        { phone, code: 123456.5 },
        { phone },
        { code },
        { phone, code, deviceName: 'x'.repeat(65) },
        { phone: 'x'.repeat(40), code },
      ])
        assertProblem(await client.smsVerify(body), 400, 'VALIDATION_FAILED');
      assertProblem(await client.smsVerify({ phone: '+86 1380', code }), 400, 'PHONE_INVALID');
      const signedIn = await client.smsVerify({ phone, code });
      assert.equal(signedIn.statusCode, 200, signedIn.body);
    });

    test('a bad bearer is a 401 even here; a banned account gets no session', async () => {
      const phone = newPhone();
      const owner: AuthSession = await signInWithPhone(t.app, sms, phone);
      const guest = await signInAsGuest(t.app);
      const forged = clientFor(t.app, guest.user, `${guest.accessToken.slice(0, -3)}abc`);
      assertProblem(
        await authClient(t.app, { headers: forged.headers }).smsVerify({ phone, code: '123456' }),
        401,
        'SESSION_INVALID',
      );
      await t.db.db
        .update(users)
        .set({ bannedAt: new Date(), banReason: 'fraud' })
        .where(eq(users.id, owner.user.id));
      clock += 2 * MINUTE;
      const client = device();
      await client.smsSend(phone);
      const refused = await client.smsVerify({ phone, code: sms.lastCodeTo(phone) });
      assertProblem(refused, 403, 'ACCOUNT_BANNED');
      assert.match(refused.json().detail, /fraud/);
    });
  });
}
