import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/database.ts';
import { users } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { createSqlIdentityStore } from './identity-store-sql.ts';
import type { IdentityStore } from './identity-store.ts';

let drawn = 0;
const newAccount = () => ({ handle: `user_t${++drawn}_${Date.now()}`, displayName: 'Member' });

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`SQL identity store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: IdentityStore;
    let seed: TestSeeder;
    let n = 0;
    const now = new Date('2030-01-01T00:00:00Z');
    const phone = () => `+86139${String(++n).padStart(8, '0')}`;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlIdentityStore(handle.db);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    const isGuest = async (userId: number) =>
      (await handle.db.select().from(users).where(eq(users.id, userId)))[0]?.isGuest;

    test('a new method makes a non-guest account, and signs in to it from then on', async () => {
      const number = phone();
      const first = await store.signIn({
        provider: 'phone',
        subject: number,
        guestUserId: null,
        newAccount,
        now,
      });
      assert.equal(first.created, true);
      assert.equal(first.upgradedGuest, false);
      assert.equal(await isGuest(first.userId), false);
      const again = await store.signIn({
        provider: 'phone',
        subject: number,
        guestUserId: null,
        newAccount,
        now: new Date(now.getTime() + 1000),
      });
      assert.deepEqual(again, { userId: first.userId, created: false, upgradedGuest: false });
      const listed = await store.list(first.userId);
      assert.equal(listed?.isGuest, false);
      assert.deepEqual(
        listed?.identities.map((i) => [i.provider, i.subject, i.lastUsedAt.getTime()]),
        [['phone', number, now.getTime() + 1000]],
      );
    });

    test('a guest signing in with a new method keeps its account; a known method wins', async () => {
      const guest = await seed.user('Guest 1234');
      assert.equal(await isGuest(guest), true);
      const number = phone();
      const upgraded = await store.signIn({
        provider: 'phone',
        subject: number,
        guestUserId: guest,
        newAccount,
        now,
      });
      assert.deepEqual(upgraded, { userId: guest, created: false, upgradedGuest: true });
      assert.equal(await isGuest(guest), false);

      // Another guest with the same number signs in to the first account; it stays a guest.
      const other = await seed.user('Guest 5678');
      const existing = await store.signIn({
        provider: 'phone',
        subject: number,
        guestUserId: other,
        newAccount,
        now,
      });
      assert.deepEqual(existing, { userId: guest, created: false, upgradedGuest: false });
      assert.equal(await isGuest(other), true);

      // A non-guest account named as the "guest" is not taken over: a new account is made.
      const fresh = await store.signIn({
        provider: 'wechat',
        subject: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M',
        guestUserId: guest,
        newAccount,
        now,
      });
      assert.equal(fresh.created, true);
      assert.notEqual(fresh.userId, guest);
    });

    test('concurrent sign-ups of one method end in one account', async () => {
      const number = phone();
      const outcomes = await Promise.all(
        Array.from({ length: 4 }, () =>
          store.signIn({ provider: 'phone', subject: number, guestUserId: null, newAccount, now }),
        ),
      );
      assert.equal(new Set(outcomes.map((o) => o.userId)).size, 1);
      assert.equal(outcomes.filter((o) => o.created).length, 1);
    });

    test('two methods racing to upgrade one guest upgrade it once', async () => {
      const guest = await seed.user();
      const outcomes = await Promise.all(
        [phone(), phone()].map((subject) =>
          store.signIn({ provider: 'phone', subject, guestUserId: guest, newAccount, now }),
        ),
      );
      assert.deepEqual(outcomes.map((o) => o.upgradedGuest).sort(), [false, true]);
      assert.equal(outcomes.filter((o) => o.userId === guest).length, 1);
    });

    test('link adds, replaces a provider’s method, refuses another account’s', async () => {
      const alice = (
        await store.signIn({
          provider: 'phone',
          subject: phone(),
          guestUserId: null,
          newAccount,
          now,
        })
      ).userId;
      const bobPhone = phone();
      await store.signIn({
        provider: 'phone',
        subject: bobPhone,
        guestUserId: null,
        newAccount,
        now,
      });
      assert.equal(await store.link(alice, 'phone', bobPhone, now), 'taken');
      assert.equal(await store.link(alice, 'weibo', '1404376560', now), 'linked');
      assert.equal(await store.link(alice, 'weibo', '1404376560', now), 'unchanged');
      const newNumber = phone();
      assert.equal(await store.link(alice, 'phone', newNumber, now), 'linked');
      const methods = (await store.list(alice))?.identities.map(
        (i) => `${i.provider}:${i.subject}`,
      );
      assert.deepEqual(methods?.sort(), [`phone:${newNumber}`, 'weibo:1404376560'].sort());

      const guest = await seed.user();
      assert.equal(await store.link(guest, 'wechat', 'oGuestOpenId', now), 'linked');
      assert.equal(await isGuest(guest), false);
    });

    test('unlink keeps the last method', async () => {
      const { userId } = await store.signIn({
        provider: 'phone',
        subject: phone(),
        guestUserId: null,
        newAccount,
        now,
      });
      assert.equal(await store.unlink(userId, 'weibo'), 'not_linked');
      assert.equal(await store.unlink(userId, 'phone'), 'last_method');
      await store.link(userId, 'weibo', '2000000001', now);
      assert.equal(await store.unlink(userId, 'phone'), 'unlinked');
      assert.equal(await store.unlink(userId, 'weibo'), 'last_method');
      assert.deepEqual(
        (await store.list(userId))?.identities.map((i) => i.provider),
        ['weibo'],
      );
      assert.equal(await store.list(2_147_483_647), null);
    });

    test('bad input is refused before the database', async () => {
      await assert.rejects(
        store.signIn({
          provider: 'email' as 'phone',
          subject: 'x',
          guestUserId: null,
          newAccount,
          now,
        }),
        RangeError,
      );
      await assert.rejects(store.link(1, 'phone', '', now), RangeError);
      await assert.rejects(store.link(1, 'phone', 'x'.repeat(129), now), RangeError);
      await assert.rejects(store.unlink(0, 'phone'), RangeError);
    });
  });
}
