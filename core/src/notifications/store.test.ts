import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseHandle } from '../db/database.ts';
import { series } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createSqlEngagementStore } from '../engagement/store-sql.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { followUps } from './notification-fixtures.ts';
import { createSqlNotificationStore } from './store-sql.ts';
import { episodeNewKind, type NotificationStore } from './store.ts';

const ceo = { zh: '霸道总裁', en: 'The CEO' };

function storeContract(kind: 'pglite' | 'postgres') {
  describe(`SQL notification store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: NotificationStore;
    let seed: TestSeeder;
    let edges: ReturnType<typeof followUps>;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlNotificationStore(handle.db);
      seed = createTestSeeder(handle.db);
      edges = followUps(createSqlEngagementStore(handle.db));
    });
    after(() => handle.close());

    test('followers of the series get the episode; non-followers and unfollowed users do not', async () => {
      const seriesId = await seed.series({ titles: ceo });
      const [alice, bob, carol, dave] = await Promise.all([
        seed.user(),
        seed.user(),
        seed.user(),
        seed.user(),
      ]);
      await edges.follow(alice!, seriesId);
      await edges.follow(bob!, seriesId);
      await edges.follow(carol!, seriesId);
      await edges.unfollow(carol!, seriesId);
      // dave follows up another series only.
      await edges.follow(dave!, await seed.series({ titles: ceo }));
      const episodeId = await seed.episode(seriesId, 3);

      const created = await store.notifyFollowersOfEpisode(episodeId);
      assert.deepEqual(created.map((row) => row.userId).sort(), [alice, bob].sort());
      for (const row of created) {
        assert.equal(row.kind, episodeNewKind);
        assert.equal(row.text, '《霸道总裁》 / The CEO: episode 3 is out');
        assert.equal(row.url, `/watch/${episodeId}`);
        assert.equal(row.readAt, null);
        assert.ok(row.createdAt instanceof Date && !Number.isNaN(row.createdAt.getTime()));
      }
      assert.equal((await store.inbox(carol!, null, 10)).items.length, 0);
      assert.equal((await store.inbox(dave!, null, 10)).items.length, 0);
    });

    test('a second done of the same episode inserts nothing', async () => {
      const seriesId = await seed.series({ titles: ceo });
      const alice = await seed.user();
      await edges.follow(alice, seriesId);
      const episodeId = await seed.episode(seriesId, 1);
      assert.equal((await store.notifyFollowersOfEpisode(episodeId)).length, 1);
      assert.deepEqual(await store.notifyFollowersOfEpisode(episodeId), []);
      assert.equal((await store.inbox(alice, null, 10)).items.length, 1);
    });

    test('a draft series and a missing episode produce none', async () => {
      const draft = await seed.series({ status: 'draft' });
      const alice = await seed.user();
      // The follow-up was made while the series was published; it is a draft again now.
      const published = await seed.series({ titles: ceo });
      await edges.follow(alice, published);
      await handle.db.update(series).set({ status: 'draft', publishedAt: null });
      const episodeId = await seed.episode(published, 1);
      assert.deepEqual(await store.notifyFollowersOfEpisode(episodeId), []);
      assert.deepEqual(await store.notifyFollowersOfEpisode(await seed.episode(draft, 1)), []);
      assert.deepEqual(await store.notifyFollowersOfEpisode(2_147_483_647), []);
      await assert.rejects(store.notifyFollowersOfEpisode(0), RangeError);
      // Put the other tests' series back.
      await handle.db.update(series).set({ status: 'published', publishedAt: new Date() });
    });

    test('concurrent calls for one episode insert each notification once', async () => {
      const seriesId = await seed.series({ titles: ceo });
      const followers = await Promise.all(Array.from({ length: 8 }, () => seed.user()));
      for (const user of followers) await edges.follow(user, seriesId);
      const episodeId = await seed.episode(seriesId, 1);
      const results = await Promise.all(
        Array.from({ length: 6 }, () => store.notifyFollowersOfEpisode(episodeId)),
      );
      const inserted = results.flat();
      assert.equal(inserted.length, followers.length);
      assert.deepEqual(inserted.map((row) => row.userId).sort(), [...followers].sort());
      assert.equal(new Set(inserted.map((row) => row.id)).size, followers.length);
    });

    test('the text fits the gateway’s 280 characters whatever the titles', async () => {
      const seriesId = await seed.series({
        titles: { zh: '𠮷'.repeat(300), en: 'Long title '.repeat(40) },
      });
      const alice = await seed.user();
      await edges.follow(alice, seriesId);
      const [row] = await store.notifyFollowersOfEpisode(await seed.episode(seriesId, 99));
      assert.ok(row !== undefined);
      assert.ok(row.text.length <= 280, `${row.text.length} UTF-16 units`);
      assert.match(row.text, /^《𠮷+》 \/ Long title.*: episode 99 is out$/u);
    });

    test('inbox: newest first, pages by cursor, counts unread; markRead only the caller’s', async () => {
      const alice = await seed.user();
      const bob = await seed.user();
      const ids: number[] = [];
      for (let number = 1; number <= 5; number += 1) {
        const seriesId = await seed.series({ titles: ceo });
        await edges.follow(alice, seriesId);
        await edges.follow(bob, seriesId);
        const created = await store.notifyFollowersOfEpisode(await seed.episode(seriesId, number));
        ids.push(created.find((row) => row.userId === alice)!.id);
      }
      const first = await store.inbox(alice, null, 2);
      assert.deepEqual(
        first.items.map((row) => row.id),
        [ids[4], ids[3]],
      );
      assert.equal(first.unread, 5);
      assert.ok(first.next !== null);
      const second = await store.inbox(alice, first.next, 10);
      assert.deepEqual(
        second.items.map((row) => row.id),
        [ids[2], ids[1], ids[0]],
      );
      assert.equal(second.next, null);

      const bobsIds = (await store.inbox(bob, null, 10)).items.map((row) => row.id);
      // Alice names Bob's notifications too: only hers change.
      assert.equal(await store.markRead(alice, [ids[0]!, ids[1]!, ...bobsIds]), 2);
      assert.equal((await store.inbox(alice, null, 10)).unread, 3);
      assert.equal((await store.inbox(bob, null, 10)).unread, 5);
      const read = (await store.inbox(alice, null, 10)).items.filter((row) => row.readAt !== null);
      assert.deepEqual(read.map((row) => row.id).sort(), [ids[0], ids[1]].sort());
      assert.equal(await store.markRead(alice, [ids[0]!]), 0, 'already read');
      assert.equal(await store.markRead(alice, 'all'), 3);
      assert.equal((await store.inbox(alice, null, 10)).unread, 0);
      assert.equal((await store.inbox(bob, null, 10)).unread, 5);
      await assert.rejects(store.markRead(alice, [0]), RangeError);
      await assert.rejects(store.inbox(alice, null, 0), RangeError);
    });

    test('create inserts one notification per dedupe key and returns it only the first time', async () => {
      const alice = await seed.user();
      const input = {
        userId: alice,
        kind: 'achievement',
        text: '成就达成 / Achievement unlocked: First binge',
        url: '/me/achievements',
        dedupeKey: 'achievement:first_binge',
      };
      const created = await Promise.all([store.create(input), store.create(input)]);
      const rows = created.filter((row) => row !== null);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.kind, 'achievement');
      assert.equal(rows[0]!.readAt, null);
      assert.equal(await store.create({ ...input, text: 'again' }), null);
      const inbox = await store.inbox(alice, null, 10);
      assert.deepEqual(
        inbox.items.map((row) => [row.id, row.text, row.url]),
        [[rows[0]!.id, input.text, input.url]],
      );
      for (const bad of [{ kind: 'Bad Kind' }, { text: '' }, { text: 'x'.repeat(281) }])
        await assert.rejects(store.create({ ...input, ...bad, dedupeKey: 'x' }), RangeError);
    });
  });
}

storeContract('pglite');
storeContract('postgres');
