import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createRecordingSmsSender,
  type RecordingSmsSender,
} from '@binge/core/accounts/sms-sender-recording';
import { authIdentities } from '@binge/core/db/schema';
import type { IdentityList } from '@binge/core/protocol/accounts';
import { assertProblem } from '../testing/assert-problem.ts';
import { clientOf, signInAsGuest, type SessionClient } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { authClient, signInWithPhone } from './auth-client.ts';

let phones = 0;
const newPhone = () => `+86134${String(++phones).padStart(8, '0')}`;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`identity routes on ${kind}`, () => {
    let t: TestApp;
    let sms: RecordingSmsSender;

    before(async () => {
      sms = createRecordingSmsSender();
      t = await openTestApp(
        kind,
        { smsSender: sms },
        { signIn: { limits: { sendPerPhone: { points: 100, durationSeconds: 60 } } } },
      );
    });
    after(() => t.close());

    const as = (client: SessionClient) => authClient(t.app, { headers: client.headers });

    async function link(client: SessionClient, phone: string) {
      await authClient(t.app).smsSend(phone);
      return as(client).linkPhone({ phone, code: sms.lastCodeTo(phone) });
    }

    test('a guest has no methods; adding a phone makes it a member, same account', async () => {
      const guest = await signInAsGuest(t.app);
      const empty = await as(guest).identities();
      assert.equal(empty.statusCode, 200, empty.body);
      assert.equal(empty.headers['cache-control'], 'private, no-store');
      assert.deepEqual(empty.json(), { isGuest: true, items: [] });

      const phone = newPhone();
      const linked = await link(guest, phone);
      assert.equal(linked.statusCode, 200, linked.body);
      const list: IdentityList = linked.json();
      assert.equal(list.isGuest, false);
      assert.deepEqual(
        list.items.map((i) => [i.provider, i.hint]),
        [['phone', `+86*******${phone.slice(-4)}`]],
      );
      // The phone now signs in to the guest's account, and the guest's session goes on.
      const again = await signInWithPhone(t.app, sms, phone);
      assert.equal(again.user.id, guest.user.id);
      assert.equal((await guest.me()).statusCode, 200);
    });

    test('a number of another account is IDENTITY_TAKEN; linking again changes the number', async () => {
      const owner = clientOf(t.app, await signInWithPhone(t.app, sms, newPhone()));
      const taken = newPhone();
      await signInWithPhone(t.app, sms, taken);
      assertProblem(await link(owner, taken), 409, 'IDENTITY_TAKEN');
      const changed = newPhone();
      const response = await link(owner, changed);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(
        (response.json() as IdentityList).items.map((i) => i.hint),
        [`+86*******${changed.slice(-4)}`],
      );
    });

    test('a wrong code links nothing; bad bodies are 400', async () => {
      const guest = await signInAsGuest(t.app);
      const phone = newPhone();
      await authClient(t.app).smsSend(phone);
      const code = sms.lastCodeTo(phone);
      assertProblem(
        await as(guest).linkPhone({ phone, code: code === '000000' ? '000001' : '000000' }),
        400,
        'SMS_CODE_INVALID',
      );
      assertProblem(await as(guest).linkPhone({ phone: '12345', code }), 400, 'PHONE_INVALID');
      assertProblem(await as(guest).linkPhone({ phone }), 400, 'VALIDATION_FAILED');
      assertProblem(await as(guest).linkPhone({ phone, code: 'abc' }), 400, 'VALIDATION_FAILED');
      assert.deepEqual((await as(guest).identities()).json(), { isGuest: true, items: [] });
    });

    test('unlinking: never the last method; unknown and unlinked providers are 404', async () => {
      const member = clientOf(t.app, await signInWithPhone(t.app, sms, newPhone()));
      assertProblem(await as(member).unlink('phone'), 409, 'LAST_SIGN_IN_METHOD');
      assertProblem(await as(member).unlink('weibo'), 404, 'NOT_FOUND');
      for (const provider of ['email', 'PHONE', '__proto__', 'x'.repeat(90)])
        assertProblem(await as(member).unlink(provider), 404, 'PROVIDER_NOT_FOUND');
      await t.db.db
        .insert(authIdentities)
        .values({ provider: 'weibo', subject: `9${Date.now()}`, userId: member.user.id });
      const removed = await as(member).unlink('phone');
      assert.equal(removed.statusCode, 204, removed.body);
      assert.deepEqual(
        ((await as(member).identities()).json() as IdentityList).items.map((i) => i.provider),
        ['weibo'],
      );
      assertProblem(await as(member).unlink('weibo'), 409, 'LAST_SIGN_IN_METHOD');
    });

    test('every identity route needs a live session', async () => {
      const anonymous = authClient(t.app);
      assertProblem(await anonymous.identities(), 401, 'AUTH_REQUIRED');
      assertProblem(
        await anonymous.linkPhone({ phone: newPhone(), code: '123456' }),
        401,
        'AUTH_REQUIRED',
      );
      assertProblem(await anonymous.unlink('phone'), 401, 'AUTH_REQUIRED');
      const gone = await signInAsGuest(t.app);
      await as(gone).logout();
      assertProblem(await as(gone).identities(), 401, 'SESSION_REVOKED');
    });
  });
}
