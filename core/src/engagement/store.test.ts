import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, count, eq, sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/database.ts';
import {
  engagementEdges,
  episodeCounters,
  seriesActivityHourly,
  seriesCounters,
  userCounters,
} from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import type { HlcStamp } from '../protocol/crdt/hlc-stamp.ts';
import { seededRandom } from '../protocol/crdt/seeded-random.ts';
import { createSqlEngagementStore, replacesStored } from './store-sql.ts';
import {
  EngagementTargetNotFoundError,
  type EngagementKind,
  type EngagementStore,
  type EngagementTargetType,
  type EngagementWrite,
} from './store.ts';

const missingId = 2_147_483_647;

const stamp = (wallMs: number, counter = 0, node = 'phone'): HlcStamp => ({
  wallMs,
  counter,
  node,
});

async function rejectsNotFound(promise: Promise<unknown>, targetType: EngagementTargetType) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof EngagementTargetNotFoundError, String(error));
    assert.equal(error.targetType, targetType);
    return true;
  });
}

test('replacesStored: a higher stamp replaces, a lower never does, remove wins an exact tie', () => {
  const add = (hlc: HlcStamp) => ({ present: true, hlc });
  const remove = (hlc: HlcStamp) => ({ present: false, hlc });
  assert.equal(replacesStored(add(stamp(2)), remove(stamp(1))), true);
  assert.equal(replacesStored(remove(stamp(1)), add(stamp(2))), false);
  assert.equal(replacesStored(add(stamp(1, 1)), add(stamp(1, 0))), true);
  assert.equal(replacesStored(add(stamp(1, 0, 'b')), remove(stamp(1, 0, 'a'))), true);
  assert.equal(replacesStored(remove(stamp(1)), add(stamp(1))), true, 'remove wins a tie');
  assert.equal(replacesStored(add(stamp(1)), remove(stamp(1))), false, 'add loses a tie');
  assert.equal(replacesStored(add(stamp(1)), add(stamp(1))), false, 'a retry changes nothing');
});

function storeContract(kind: 'pglite' | 'postgres') {
  describe(`SQL engagement store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: EngagementStore;
    let seed: TestSeeder;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlEngagementStore(handle.db);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    const like = (targetId: number, present: boolean, hlc: HlcStamp): EngagementWrite => ({
      kind: 'like',
      targetType: 'episode',
      targetId,
      present,
      hlc,
    });

    async function presentEdges(
      edgeKind: EngagementKind,
      targetType: EngagementTargetType,
      targetId: number,
    ): Promise<number> {
      const [row] = await handle.db
        .select({ n: count() })
        .from(engagementEdges)
        .where(
          and(
            eq(engagementEdges.kind, edgeKind),
            eq(engagementEdges.targetType, targetType),
            eq(engagementEdges.targetId, targetId),
            eq(engagementEdges.present, true),
          ),
        );
      return row!.n;
    }

    async function episodeLikes(episodeId: number): Promise<number> {
      const [row] = await handle.db
        .select({ likes: episodeCounters.likes })
        .from(episodeCounters)
        .where(eq(episodeCounters.episodeId, episodeId));
      return Number(row?.likes ?? 0);
    }

    test('like and unlike: presence, count and the counter row move together', async () => {
      const episodeId = await seed.episode(await seed.series());
      const user = await seed.user();
      assert.deepEqual(await store.write(user, like(episodeId, true, stamp(1_000))), {
        applied: true,
        present: true,
        count: 1,
      });
      assert.equal(await episodeLikes(episodeId), 1);
      assert.deepEqual(await store.write(user, like(episodeId, false, stamp(2_000))), {
        applied: true,
        present: false,
        count: 0,
      });
      assert.equal(await episodeLikes(episodeId), 0);
    });

    test('two devices with out-of-order stamps converge whatever order the writes arrive in', async () => {
      const random = seededRandom(7);
      for (let round = 0; round < 6; round += 1) {
        const episodeId = await seed.episode(await seed.series());
        const users = [await seed.user(), await seed.user()];
        // Each user toggles on two devices; stamps interleave and sometimes tie across nodes.
        const writes: Array<{ user: number; write: EngagementWrite }> = [];
        for (const user of users)
          for (let i = 0; i < 8; i += 1)
            writes.push({
              user,
              write: like(
                episodeId,
                random.next() < 0.5,
                stamp(random.int(1, 5), random.int(0, 1), random.pick(['phone', 'tablet'])),
              ),
            });
        const expected = users.map((user) => {
          // The specification: the latest operation by stamp, a remove winning a tie.
          let winner: EngagementWrite | undefined;
          for (const { write } of writes.filter((w) => w.user === user))
            if (
              winner === undefined ||
              replacesStored(write, { present: winner.present, hlc: winner.hlc })
            )
              winner = write;
          return winner!.present;
        });
        for (const { user, write } of random.shuffle(writes)) await store.write(user, write);
        const states = await Promise.all(
          users.map((user) => store.state(user, 'like', 'episode', [episodeId])),
        );
        assert.deepEqual(
          states.map(([s]) => s!.present),
          expected,
          `round ${round}`,
        );
        const present = expected.filter(Boolean).length;
        assert.equal(states[0]![0]!.count, present);
        assert.equal(await episodeLikes(episodeId), present);
        assert.equal(await presentEdges('like', 'episode', episodeId), present);
      }
    });

    test('a stale write never flips a newer one, and says it was not applied', async () => {
      const episodeId = await seed.episode(await seed.series());
      const user = await seed.user();
      await store.write(user, like(episodeId, true, stamp(5_000, 0, 'tablet')));
      assert.deepEqual(await store.write(user, like(episodeId, false, stamp(4_999, 9, 'phone'))), {
        applied: false,
        present: true,
        count: 1,
      });
      // A retry of the winner is reported applied and changes nothing.
      assert.deepEqual(await store.write(user, like(episodeId, true, stamp(5_000, 0, 'tablet'))), {
        applied: true,
        present: true,
        count: 1,
      });
      assert.equal(await episodeLikes(episodeId), 1);
    });

    test('an exact tie of stamps: remove wins, whichever arrives first', async () => {
      const episodeId = await seed.episode(await seed.series());
      const [first, second] = [await seed.user(), await seed.user()];
      await store.write(first, like(episodeId, true, stamp(3_000)));
      const removeAfter = await store.write(first, like(episodeId, false, stamp(3_000)));
      assert.deepEqual(removeAfter, { applied: true, present: false, count: 0 });
      await store.write(second, like(episodeId, false, stamp(3_000)));
      const addAfter = await store.write(second, like(episodeId, true, stamp(3_000)));
      assert.deepEqual(addAfter, { applied: false, present: false, count: 0 });
      assert.equal(await episodeLikes(episodeId), 0);
    });

    test('concurrent toggles keep the count exact', async () => {
      const episodeId = await seed.episode(await seed.series());
      const users = await Promise.all(Array.from({ length: 12 }, () => seed.user()));
      const random = seededRandom(99);
      const writes = users.flatMap((user) =>
        Array.from({ length: 6 }, (_, i) => ({
          user,
          write: like(
            episodeId,
            random.next() < 0.6,
            stamp(10_000 + i, 0, random.pick(['a', 'b'])),
          ),
        })),
      );
      await Promise.all(random.shuffle(writes).map(({ user, write }) => store.write(user, write)));
      const expected = users.filter((user) => {
        const last = writes.filter((w) => w.user === user).at(-1)!;
        return last.write.present;
      }).length;
      assert.equal(await presentEdges('like', 'episode', episodeId), expected);
      assert.equal(await episodeLikes(episodeId), expected);
      const [state] = await store.state(users[0]!, 'like', 'episode', [episodeId]);
      assert.equal(state!.count, expected);
    });

    test('concurrent writes of one element by one user: one winner, count 0 or 1', async () => {
      const episodeId = await seed.episode(await seed.series());
      const user = await seed.user();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.write(user, like(episodeId, i % 2 === 0, stamp(20_000 + (i % 7), i))),
        ),
      );
      assert.ok(results.every((r) => r.count === 0 || r.count === 1));
      const [state] = await store.state(user, 'like', 'episode', [episodeId]);
      // The highest stamp is wall 20_006 counter 13 (i = 13, odd: a remove).
      assert.deepEqual(state, { targetId: episodeId, present: false, count: 0 });
      assert.equal(await episodeLikes(episodeId), 0);
    });

    test('every kind adjusts its own counter; follows count followers and following', async () => {
      const seriesId = await seed.series();
      const episodeId = await seed.episode(seriesId);
      const [alice, bob] = [await seed.user(), await seed.user()];
      const write = (
        edgeKind: EngagementKind,
        targetType: EngagementTargetType,
        targetId: number,
      ) =>
        store.write(alice, { kind: edgeKind, targetType, targetId, present: true, hlc: stamp(1) });
      assert.equal((await write('like', 'series', seriesId)).count, 1);
      assert.equal((await write('favourite', 'series', seriesId)).count, 1);
      assert.equal((await write('favourite', 'episode', episodeId)).count, 1);
      assert.equal((await write('follow_up', 'series', seriesId)).count, 1);
      assert.equal((await write('follow', 'user', bob)).count, 1);
      const [seriesRow] = await handle.db
        .select()
        .from(seriesCounters)
        .where(eq(seriesCounters.seriesId, seriesId));
      assert.deepEqual(
        [seriesRow!.likes, seriesRow!.favourites, seriesRow!.followUps].map(Number),
        [1, 1, 1],
      );
      assert.equal(await episodeLikes(episodeId), 0);
      const counters = await handle.db.select().from(userCounters);
      const of = (id: number) => counters.find((c) => c.userId === id);
      assert.equal(Number(of(bob)?.followers), 1);
      assert.equal(Number(of(alice)?.following), 1);
      await store.write(alice, {
        kind: 'follow',
        targetType: 'user',
        targetId: bob,
        present: false,
        hlc: stamp(2),
      });
      const [bobAfter] = await handle.db
        .select()
        .from(userCounters)
        .where(eq(userCounters.userId, bob));
      const [aliceAfter] = await handle.db
        .select()
        .from(userCounters)
        .where(eq(userCounters.userId, alice));
      assert.deepEqual([Number(bobAfter!.followers), Number(aliceAfter!.following)], [0, 0]);
    });

    test('flips of likes, favourites and follow-ups move the series hourly activity; no-ops do not', async () => {
      const seriesId = await seed.series();
      const episodeId = await seed.episode(seriesId);
      const [alice, bob] = [await seed.user(), await seed.user()];
      const write = (
        user: number,
        edgeKind: EngagementKind,
        targetType: EngagementTargetType,
        targetId: number,
        present: boolean,
        wallMs: number,
      ) => store.write(user, { kind: edgeKind, targetType, targetId, present, hlc: stamp(wallMs) });
      const activity = async () => {
        const rows = await handle.db
          .select()
          .from(seriesActivityHourly)
          .where(eq(seriesActivityHourly.seriesId, seriesId));
        return rows.reduce(
          (sum, row) => ({
            likes: sum.likes + row.likes,
            favourites: sum.favourites + row.favourites,
            followUps: sum.followUps + row.followUps,
          }),
          { likes: 0, favourites: 0, followUps: 0 },
        );
      };
      await write(alice, 'like', 'episode', episodeId, true, 1);
      await write(bob, 'like', 'series', seriesId, true, 1);
      await write(alice, 'favourite', 'episode', episodeId, true, 1);
      await write(alice, 'follow_up', 'series', seriesId, true, 1);
      await write(alice, 'follow', 'user', bob, true, 1);
      assert.deepEqual(await activity(), { likes: 2, favourites: 1, followUps: 1 });
      // A retry and a stale write change no presence, so they add nothing.
      await write(alice, 'like', 'episode', episodeId, true, 1);
      await write(bob, 'like', 'series', seriesId, false, 0);
      assert.deepEqual(await activity(), { likes: 2, favourites: 1, followUps: 1 });
      await write(alice, 'like', 'episode', episodeId, false, 2);
      await write(alice, 'follow_up', 'series', seriesId, false, 2);
      assert.deepEqual(await activity(), { likes: 1, favourites: 1, followUps: 0 });
    });

    test('list and followers: present edges only, newest first, cursor pages', async () => {
      const alice = await seed.user();
      const others = await Promise.all(Array.from({ length: 5 }, () => seed.user()));
      const seriesIds = await Promise.all(Array.from({ length: 5 }, () => seed.series()));
      for (const [i, seriesId] of seriesIds.entries())
        await store.write(alice, {
          kind: 'follow_up',
          targetType: 'series',
          targetId: seriesId,
          present: true,
          // Two share a wall clock: the counter and then the id order them.
          hlc: stamp(100 + Math.min(i, 3), i),
        });
      await store.write(alice, {
        kind: 'follow_up',
        targetType: 'series',
        targetId: seriesIds[1]!,
        present: false,
        hlc: stamp(500),
      });
      const expected = [seriesIds[4], seriesIds[3], seriesIds[2], seriesIds[0]];
      const first = await store.list(alice, 'follow_up', 'series', null, 3);
      assert.deepEqual(
        first.items.map((i) => i.targetId),
        expected.slice(0, 3),
      );
      assert.ok(first.next !== null);
      const second = await store.list(alice, 'follow_up', 'series', first.next, 3);
      assert.deepEqual(
        second.items.map((i) => i.targetId),
        expected.slice(3),
      );
      assert.equal(second.next, null);
      assert.deepEqual(second.items[0]!.hlc, stamp(100, 0));
      assert.deepEqual((await store.list(alice, 'like', 'series', null, 10)).items, []);

      for (const [i, follower] of others.entries())
        await store.write(follower, {
          kind: 'follow',
          targetType: 'user',
          targetId: alice,
          present: i !== 2,
          hlc: stamp(1_000 + i),
        });
      const followers = await store.followers(alice, null, 2);
      assert.deepEqual(
        followers.items.map((f) => f.userId),
        [others[4], others[3]],
      );
      const rest = await store.followers(alice, followers.next, 10);
      assert.deepEqual(
        rest.items.map((f) => f.userId),
        [others[1], others[0]],
      );
      assert.equal(rest.next, null);
      const following = await store.list(others[0]!, 'follow', 'user', null, 10);
      assert.deepEqual(
        following.items.map((f) => f.targetId),
        [alice],
      );
    });

    test('state answers in the order asked, absent targets included', async () => {
      const user = await seed.user();
      const [a, b] = [
        await seed.episode(await seed.series()),
        await seed.episode(await seed.series()),
      ];
      await store.write(user, like(b, true, stamp(1)));
      assert.deepEqual(await store.state(user, 'like', 'episode', [a, b, a]), [
        { targetId: a, present: false, count: 0 },
        { targetId: b, present: true, count: 1 },
        { targetId: a, present: false, count: 0 },
      ]);
      assert.deepEqual(await store.state(user, 'like', 'episode', []), []);
    });

    test('missing targets, bad combinations, self-follows and bad stamps are refused', async () => {
      const user = await seed.user();
      const draft = await seed.series({ status: 'draft' });
      const draftEpisode = await seed.episode(draft);
      await rejectsNotFound(store.write(user, like(missingId, true, stamp(1))), 'episode');
      await rejectsNotFound(store.write(user, like(draftEpisode, true, stamp(1))), 'episode');
      const onSeries = { kind: 'like' as const, targetType: 'series' as const, present: true };
      await rejectsNotFound(
        store.write(user, { ...onSeries, targetId: draft, hlc: stamp(1) }),
        'series',
      );
      await rejectsNotFound(
        store.write(user, {
          kind: 'follow',
          targetType: 'user',
          targetId: missingId,
          present: true,
          hlc: stamp(1),
        }),
        'user',
      );
      const target = await seed.series();
      for (const bad of [
        { kind: 'like', targetType: 'user', targetId: user },
        { kind: 'follow', targetType: 'series', targetId: target },
        { kind: 'follow_up', targetType: 'episode', targetId: target },
        { kind: 'follow', targetType: 'user', targetId: user },
        { kind: 'share', targetType: 'series', targetId: target },
        { kind: 'like', targetType: 'series', targetId: 0 },
      ])
        await assert.rejects(
          store.write(user, { ...bad, present: true, hlc: stamp(1) } as EngagementWrite),
          RangeError,
          JSON.stringify(bad),
        );
      for (const hlc of [stamp(-1), stamp(1, 70_000), stamp(1, 0, 'a b'), stamp(2 ** 48)])
        await assert.rejects(store.write(user, { ...onSeries, targetId: target, hlc }), RangeError);
      assert.equal(await store.targetExists('series', target), true);
      assert.equal(await store.targetExists('series', draft), false);
      assert.equal(await store.targetExists('user', user), true);
      const [edges] = await handle.db
        .select({ n: count() })
        .from(engagementEdges)
        .where(eq(engagementEdges.userId, user));
      assert.equal(edges!.n, 0, 'refused writes stored nothing');
    });

    test('the table itself refuses invalid edges and negative counts', async () => {
      const user = await seed.user();
      const edge = {
        userId: user,
        present: true,
        hlcWallMs: 1,
        hlcCounter: 0,
        hlcNode: 'x',
      };
      await assert.rejects(
        handle.db
          .insert(engagementEdges)
          .values({ ...edge, kind: 'follow', targetType: 'user', targetId: user }),
      );
      await assert.rejects(
        handle.db
          .insert(engagementEdges)
          .values({ ...edge, kind: 'like', targetType: 'user', targetId: 1 }),
      );
      await assert.rejects(
        handle.db.execute(sql`insert into user_counters (user_id, followers) values (${user}, -1)`),
      );
    });
  });
}

storeContract('pglite');
storeContract('postgres');
