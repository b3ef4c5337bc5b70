import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseHandle } from '../db/database.ts';
import { userAchievements } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { createSqlEngagementStore } from '../engagement/store-sql.ts';
import { createSqlProfileStore } from './profile-store-sql.ts';
import type { ProfileStore } from './profile-store.ts';

const missingId = 2_147_483_647;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`SQL profile store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: ProfileStore;
    let seed: TestSeeder;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlProfileStore(handle.db);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    test('a profile carries counts from the follow graph and the achievements earned', async () => {
      const alice = await seed.user('Alice');
      const bob = await seed.user('Bob');
      const blank = await store.profile(alice);
      assert.ok(blank !== null);
      assert.equal(blank.displayName, 'Alice');
      assert.deepEqual(
        [
          blank.avatarUrl,
          blank.bio,
          blank.xp,
          blank.followers,
          blank.following,
          blank.achievements,
        ],
        [null, '', 0, 0, 0, 0],
      );
      assert.ok(blank.createdAt instanceof Date);
      await createSqlEngagementStore(handle.db).write(bob, {
        kind: 'follow',
        targetType: 'user',
        targetId: alice,
        present: true,
        hlc: { wallMs: 1, counter: 0, node: 'phone' },
      });
      await handle.db.insert(userAchievements).values([
        { userId: alice, code: 'first_share' },
        { userId: alice, code: 'first_comment' },
      ]);
      const counted = await store.profile(alice);
      assert.equal(counted?.followers, 1);
      assert.equal(counted?.achievements, 2);
      assert.equal((await store.profile(bob))?.following, 1);
      assert.equal(await store.profile(missingId), null);
    });

    test('update changes only the fields given', async () => {
      const user = await seed.user('Before');
      const named = await store.update(user, { displayName: 'After' });
      assert.deepEqual([named?.displayName, named?.bio], ['After', '']);
      const bio = await store.update(user, { bio: 'line\nline' });
      assert.deepEqual([bio?.displayName, bio?.bio], ['After', 'line\nline']);
      assert.equal((await store.update(user, {}))?.displayName, 'After');
      assert.equal(await store.update(missingId, { bio: 'x' }), null);
    });

    test('avatars: assign hands back the previous one, inUse sees every account', async () => {
      const alice = await seed.user();
      const bob = await seed.user();
      const first = '/api/v1/avatars/aaaa/256.webp';
      const second = '/api/v1/avatars/bbbb/256.webp';
      assert.equal(await store.withAvatar(first, (a) => a.assign(alice)), null);
      assert.equal(await store.withAvatar(first, (a) => a.assign(bob)), null);
      assert.equal(await store.withAvatar(second, (a) => a.assign(alice)), first);
      assert.equal((await store.profile(alice))?.avatarUrl, second);
      assert.equal(await store.withAvatar(first, (a) => a.inUse()), true, 'Bob still has it');
      assert.equal(await store.clearAvatar(bob), first);
      assert.equal(await store.withAvatar(first, (a) => a.inUse()), false);
      assert.equal(await store.clearAvatar(bob), null);
      assert.equal(await store.withAvatar(first, (a) => a.assign(missingId)), undefined);
      await assert.rejects(
        store.withAvatar('', async () => undefined),
        RangeError,
      );
    });

    test('the avatar lock makes a second holder wait for the first', async () => {
      const url = '/api/v1/avatars/cccc/256.webp';
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = store.withAvatar(url, async () => {
        order.push('first in');
        await held;
        order.push('first out');
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = store.withAvatar(url, async () => {
        order.push('second in');
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      await Promise.all([first, second]);
      assert.deepEqual(order, ['first in', 'first out', 'second in']);
    });
  });
}
