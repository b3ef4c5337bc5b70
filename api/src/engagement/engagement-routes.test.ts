import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, count, eq } from 'drizzle-orm';
import { engagementEdges, episodeCounters, userAchievements } from '@binge/core/db/schema';
import type { HlcStamp } from '@binge/core/protocol/crdt/hlc-stamp';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import { signInAsGuest, type SessionClient } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { engagementClient, type EngagementClient } from './engagement-client.ts';

const MISSING = 2147483647;

const stamp = (wallMs: number, node: string, counter = 0): HlcStamp => ({
  wallMs,
  counter,
  node,
});

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`engagement routes on ${kind}`, () => {
    let t: TestApp;
    let categoryId: number;
    let seriesId: number;
    let draftSeriesId: number;
    let alice: SessionClient;
    let bob: SessionClient;
    let aliceApp: EngagementClient;
    let bobApp: EngagementClient;
    let n = 0;

    before(async () => {
      t = await openTestApp(kind, {}, { guestLimit: { max: 1_000, timeWindowMs: 3_600_000 } });
      categoryId = await insertCategory(t.db.db, { slug: 'drama' });
      seriesId = await insertSeries(t.db.db, { slug: 'series', categoryId });
      draftSeriesId = await insertSeries(t.db.db, { slug: 'draft', categoryId, status: 'draft' });
      alice = await signInAsGuest(t.app);
      bob = await signInAsGuest(t.app);
      aliceApp = engagementClient(t.app, alice);
      bobApp = engagementClient(t.app, bob);
    });
    after(() => t.close());

    /** A fresh episode, so each test counts its own likes. */
    async function newEpisode(): Promise<number> {
      n += 1;
      return (await insertEpisode(t.db.db, { seriesId, number: n })).episodeId;
    }

    async function presentLikes(episodeId: number): Promise<number> {
      const [row] = await t.db.db
        .select({ n: count() })
        .from(engagementEdges)
        .where(
          and(
            eq(engagementEdges.kind, 'like'),
            eq(engagementEdges.targetType, 'episode'),
            eq(engagementEdges.targetId, episodeId),
            eq(engagementEdges.present, true),
          ),
        );
      return row!.n;
    }

    async function storedLikes(episodeId: number): Promise<number> {
      const [row] = await t.db.db
        .select({ likes: episodeCounters.likes })
        .from(episodeCounters)
        .where(eq(episodeCounters.episodeId, episodeId));
      return Number(row?.likes ?? 0);
    }

    test('like then unlike: the reply carries presence, count and applied', async () => {
      const episodeId = await newEpisode();
      const liked = await aliceApp.add('like', 'episode', episodeId, stamp(1_000, 'phone'));
      assert.equal(liked.statusCode, 200, liked.body);
      assert.equal(liked.headers['cache-control'], 'private, no-store');
      assert.deepEqual(liked.json(), { present: true, count: 1, applied: true });
      assert.deepEqual((await bobApp.add('like', 'episode', episodeId)).json(), {
        present: true,
        count: 2,
        applied: true,
      });
      const unliked = await aliceApp.remove('like', 'episode', episodeId, stamp(2_000, 'phone'));
      assert.deepEqual(unliked.json(), { present: false, count: 1, applied: true });
      assert.equal(await storedLikes(episodeId), 1);
    });

    test('two devices toggling with out-of-order stamps converge in either arrival order', async () => {
      // The phone likes at t=1000 and unlikes at t=3000; the tablet likes at t=2000.
      const writes = [
        (app: EngagementClient, id: number) =>
          app.add('like', 'episode', id, stamp(1_000, 'phone')),
        (app: EngagementClient, id: number) =>
          app.remove('like', 'episode', id, stamp(3_000, 'phone')),
        (app: EngagementClient, id: number) =>
          app.add('like', 'episode', id, stamp(2_000, 'tablet')),
      ];
      const orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
      ];
      for (const order of orders) {
        const episodeId = await newEpisode();
        // Bob likes too, so the count is not just alice's.
        await bobApp.add('like', 'episode', episodeId, stamp(1, 'bob-phone'));
        let last;
        for (const i of order) last = (await writes[i]!(aliceApp, episodeId)).json();
        const state = await aliceApp.list('like', 'targetType=episode&limit=100');
        assert.ok(
          !state.json().items.some((item: { targetId: number }) => item.targetId === episodeId),
          `order ${order}: the unlike at t=3000 wins`,
        );
        assert.equal(last.present, false, `order ${order}`);
        assert.equal(last.count, 1, `order ${order}`);
        assert.equal(await presentLikes(episodeId), 1);
        assert.equal(await storedLikes(episodeId), 1);
      }
    });

    test('a stale write never flips a newer one', async () => {
      const episodeId = await newEpisode();
      await aliceApp.add('like', 'episode', episodeId, stamp(5_000, 'tablet'));
      const stale = await aliceApp.remove('like', 'episode', episodeId, stamp(4_000, 'phone', 7));
      assert.equal(stale.statusCode, 200, stale.body);
      assert.deepEqual(stale.json(), { present: true, count: 1, applied: false });
      assert.equal(await storedLikes(episodeId), 1);
    });

    test('an exact tie of stamps: remove wins', async () => {
      const episodeId = await newEpisode();
      const tie = stamp(7_000, 'phone');
      await aliceApp.add('like', 'episode', episodeId, tie);
      assert.deepEqual((await aliceApp.remove('like', 'episode', episodeId, tie)).json(), {
        present: false,
        count: 0,
        applied: true,
      });
      assert.deepEqual((await aliceApp.add('like', 'episode', episodeId, tie)).json(), {
        present: false,
        count: 0,
        applied: false,
      });
    });

    test('concurrent toggles from many users keep the count exact', async () => {
      const episodeId = await newEpisode();
      const users = await Promise.all(
        Array.from({ length: 10 }, async () => engagementClient(t.app, await signInAsGuest(t.app))),
      );
      const responses = await Promise.all(
        users.flatMap((app, u) =>
          Array.from({ length: 5 }, (_, i) => {
            const hlc = stamp(10_000 + i, `device-${u}`);
            // User u's last toggle (i = 4) is a like for even u, an unlike for odd u.
            return (i + u) % 2 === 0
              ? app.add('like', 'episode', episodeId, hlc)
              : app.remove('like', 'episode', episodeId, hlc);
          }),
        ),
      );
      for (const response of responses) assert.equal(response.statusCode, 200, response.body);
      assert.equal(await presentLikes(episodeId), 5);
      assert.equal(await storedLikes(episodeId), 5);
    });

    test('without a body the server stamps the change with its own clock', async () => {
      const episodeId = await newEpisode();
      // A device stamp from 1970 loses to the server's stamp of now.
      assert.equal((await aliceApp.add('like', 'episode', episodeId)).json().present, true);
      assert.deepEqual(
        (await aliceApp.remove('like', 'episode', episodeId, stamp(1, 'old-phone'))).json(),
        { present: true, count: 1, applied: false },
      );
      const page = (await aliceApp.list('like', 'targetType=episode&limit=1')).json();
      assert.equal(page.items[0].targetId, episodeId);
      assert.equal(page.items[0].hlc.node, 'api');
      assert.deepEqual((await aliceApp.remove('like', 'episode', episodeId)).json(), {
        present: false,
        count: 0,
        applied: true,
      });
    });

    test('favourites, follow-ups and follows, with lists and cursor pages', async () => {
      const carol = await signInAsGuest(t.app);
      const carolApp = engagementClient(t.app, carol);
      const series = [seriesId];
      for (const slug of ['s2', 's3'])
        series.push(await insertSeries(t.db.db, { slug: `${slug}-${kind}`, categoryId }));
      for (const [i, id] of series.entries())
        assert.equal(
          (await carolApp.add('follow_up', 'series', id, stamp(100 + i, 'phone'))).statusCode,
          200,
        );
      assert.deepEqual(
        (await carolApp.add('favourite', 'series', seriesId, stamp(1, 'phone'))).json(),
        { present: true, count: 1, applied: true },
      );
      const first = (await carolApp.list('follow_up', 'limit=2')).json();
      assert.deepEqual(
        first.items.map((item: { targetId: number }) => item.targetId),
        [series[2], series[1]],
      );
      assert.deepEqual(first.items[0].hlc, stamp(102, 'phone'));
      const second = (
        await carolApp.list('follow_up', `limit=2&cursor=${first.nextCursor}`)
      ).json();
      assert.deepEqual(second, {
        items: [{ targetId: seriesId, hlc: stamp(100, 'phone') }],
        nextCursor: null,
      });
      assert.equal(
        (await carolApp.list('favourite', 'targetType=series')).json().items[0].targetId,
        seriesId,
      );

      assert.deepEqual((await carolApp.add('follow', 'user', alice.user.id)).json(), {
        present: true,
        count: 1,
        applied: true,
      });
      await bobApp.add('follow', 'user', alice.user.id);
      const followers = (await bobApp.followers(alice.user.id)).json();
      assert.deepEqual(
        followers.items.map((f: { userId: number }) => f.userId),
        [bob.user.id, carol.user.id],
      );
      const following = (await aliceApp.following(carol.user.id)).json();
      assert.deepEqual(
        following.items.map((f: { userId: number }) => f.userId),
        [alice.user.id],
      );
      assert.deepEqual((await carolApp.remove('follow', 'user', alice.user.id)).json(), {
        present: false,
        count: 1,
        applied: true,
      });
      assert.deepEqual((await aliceApp.following(carol.user.id)).json(), {
        items: [],
        nextCursor: null,
      });
    });

    test('state answers presence and count per id, in the order asked', async () => {
      const [first, second] = [await newEpisode(), await newEpisode()];
      await aliceApp.add('like', 'episode', second);
      await bobApp.add('like', 'episode', second);
      await bobApp.add('like', 'episode', first);
      const response = await aliceApp.state('like', 'episode', `${second},${MISSING},${first}`);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['cache-control'], 'private, no-store');
      assert.deepEqual(response.json(), {
        items: [
          { targetId: second, present: true, count: 2 },
          { targetId: MISSING, present: false, count: 0 },
          { targetId: first, present: false, count: 1 },
        ],
      });
      await bobApp.add('follow', 'user', alice.user.id);
      const follows = await bobApp.state('follow', 'user', String(alice.user.id));
      assert.equal(follows.statusCode, 200, follows.body);
      assert.equal(follows.json().items[0].present, true);
    });

    test('state refuses bad ids, too many ids and impossible kinds', async () => {
      assertProblem(await aliceApp.state('like', 'episode', '1,abc'), 400, 'INVALID_ID');
      assertProblem(await aliceApp.state('like', 'episode', '1,,2'), 400, 'INVALID_ID');
      assertProblem(await aliceApp.state('like', 'episode', '0'), 400, 'INVALID_ID');
      assertProblem(await aliceApp.state('like', 'episode', '99999999999'), 400, 'INVALID_ID');
      const many = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
      assertProblem(await aliceApp.state('like', 'episode', many), 400, 'VALIDATION_FAILED');
      assertProblem(await aliceApp.state('like', 'user', '1'), 400, 'INVALID_ENGAGEMENT_TARGET');
      assertProblem(await aliceApp.state('nope', 'episode', '1'), 400, 'INVALID_ENGAGEMENT_TARGET');
      const noIds = await t.app.inject({ url: '/api/v1/me/like/episode', headers: alice.headers });
      assertProblem(noIds, 400, 'VALIDATION_FAILED');
      const anonymous = engagementClient(t.app, null);
      assertProblem(await anonymous.state('like', 'episode', '1'), 401, 'AUTH_REQUIRED');
    });

    test('the tenth follow-up earns its achievement once; unfollowing does not take it back', async () => {
      const carol = await signInAsGuest(t.app);
      const carolApp = engagementClient(t.app, carol);
      const awarded = async () =>
        (
          await t.db.db
            .select({ code: userAchievements.code })
            .from(userAchievements)
            .where(eq(userAchievements.userId, carol.user.id))
        ).map((row) => row.code);
      const ids: number[] = [];
      for (let i = 0; i < 10; i += 1)
        ids.push(await insertSeries(t.db.db, { slug: `followed-${kind}-${i}`, categoryId }));
      for (const id of ids.slice(0, 9)) await carolApp.add('follow_up', 'series', id);
      // The same series again is not a new follow-up.
      await carolApp.add('follow_up', 'series', ids[0]!);
      assert.deepEqual(await awarded(), []);
      await carolApp.add('follow_up', 'series', ids[9]!);
      assert.deepEqual(await awarded(), ['follow_ups_10']);
      await carolApp.remove('follow_up', 'series', ids[9]!);
      await carolApp.add('follow_up', 'series', ids[9]!);
      assert.deepEqual(await awarded(), ['follow_ups_10']);
    });

    test('each bad input answers its code', async () => {
      const episodeId = await newEpisode();
      assertProblem(
        await aliceApp.add('like', 'user', bob.user.id),
        400,
        'INVALID_ENGAGEMENT_TARGET',
      );
      assertProblem(
        await aliceApp.add('follow', 'series', seriesId),
        400,
        'INVALID_ENGAGEMENT_TARGET',
      );
      assertProblem(
        await aliceApp.add('follow_up', 'episode', episodeId),
        400,
        'INVALID_ENGAGEMENT_TARGET',
      );
      assertProblem(
        await aliceApp.add('share', 'series', seriesId),
        400,
        'INVALID_ENGAGEMENT_TARGET',
      );
      assertProblem(
        await aliceApp.add('like', 'movie', seriesId),
        400,
        'INVALID_ENGAGEMENT_TARGET',
      );
      assertProblem(await aliceApp.list('like'), 400, 'INVALID_ENGAGEMENT_TARGET');
      assertProblem(
        await aliceApp.list('follow', 'targetType=series'),
        400,
        'INVALID_ENGAGEMENT_TARGET',
      );
      assertProblem(await aliceApp.list('nope'), 400, 'INVALID_ENGAGEMENT_TARGET');

      assertProblem(await aliceApp.add('follow', 'user', alice.user.id), 400, 'CANNOT_FOLLOW_SELF');
      assertProblem(
        await aliceApp.remove('follow', 'user', alice.user.id),
        400,
        'CANNOT_FOLLOW_SELF',
      );

      assertProblem(await aliceApp.add('like', 'episode', MISSING), 404, 'EPISODE_NOT_FOUND');
      assertProblem(await aliceApp.add('like', 'series', draftSeriesId), 404, 'SERIES_NOT_FOUND');
      assertProblem(await aliceApp.add('follow', 'user', MISSING), 404, 'USER_NOT_FOUND');
      assertProblem(await aliceApp.followers(MISSING), 404, 'USER_NOT_FOUND');
      assertProblem(await aliceApp.following(MISSING), 404, 'USER_NOT_FOUND');

      const ahead = stamp(Date.now() + 120_000, 'fast-phone');
      assertProblem(
        await aliceApp.add('like', 'episode', episodeId, ahead),
        400,
        'HLC_CLOCK_DRIFT',
      );
      assert.equal(
        (await aliceApp.add('like', 'episode', episodeId, stamp(Date.now() + 30_000, 'phone')))
          .statusCode,
        200,
        'within 60 s is fine',
      );

      for (const id of ['0', '-1', 'abc', '1e3', '99999999999'])
        assertProblem(await aliceApp.add('like', 'episode', id), 400, 'INVALID_ID');
      assertProblem(await aliceApp.followers('abc'), 400, 'INVALID_ID');
      for (const hlc of [
        { wallMs: -1, counter: 0, node: 'a' },
        { wallMs: 1, counter: 70_000, node: 'a' },
        { wallMs: 1, counter: 0, node: 'no spaces' },
        { wallMs: 1.5, counter: 0, node: 'a' },
        { wallMs: 1, counter: 0 },
      ])
        assertProblem(
          await aliceApp.add('like', 'episode', episodeId, hlc),
          400,
          'VALIDATION_FAILED',
        );
      assertProblem(
        await aliceApp.list('like', 'targetType=episode&cursor=garbage'),
        400,
        'INVALID_CURSOR',
      );
      assertProblem(
        await aliceApp.list('like', 'targetType=episode&limit=101'),
        400,
        'PAGE_SIZE_OUT_OF_RANGE',
      );
      assertProblem(
        await aliceApp.list('like', 'targetType=episode&limit=0x10'),
        400,
        'VALIDATION_FAILED',
      );
      assert.equal(await presentLikes(episodeId), 1, 'refused writes changed nothing');
    });

    test('no token is 401, a bad one too; the path is always /me', async () => {
      const episodeId = await newEpisode();
      const anonymous = engagementClient(t.app, null);
      assertProblem(await anonymous.add('like', 'episode', episodeId), 401, 'AUTH_REQUIRED');
      assertProblem(await anonymous.remove('like', 'episode', episodeId), 401, 'AUTH_REQUIRED');
      assertProblem(await anonymous.list('like', 'targetType=episode'), 401, 'AUTH_REQUIRED');
      assertProblem(await anonymous.followers(alice.user.id), 401, 'AUTH_REQUIRED');
      assertProblem(await anonymous.following(alice.user.id), 401, 'AUTH_REQUIRED');
      // Sign-in is checked before anything about the request.
      assertProblem(await anonymous.add('nope', 'x', 'y'), 401, 'AUTH_REQUIRED');
      const forged = engagementClient(t.app, { headers: { authorization: 'Bearer x.y.z' } });
      assertProblem(await forged.add('like', 'episode', episodeId), 401, 'SESSION_INVALID');

      // There is no route that writes someone else's set: the writer is always the caller.
      for (const method of ['PUT', 'DELETE'] as const) {
        const response = await t.app.inject({
          method,
          url: `/api/v1/users/${bob.user.id}/like/episode/${episodeId}`,
          headers: alice.headers,
        });
        assert.equal(response.statusCode, 404, response.body);
      }
      await aliceApp.add('like', 'episode', episodeId);
      const bobLikes = (await bobApp.list('like', 'targetType=episode&limit=100')).json();
      assert.ok(!bobLikes.items.some((i: { targetId: number }) => i.targetId === episodeId));
    });

    test('OpenAPI documents the routes and their codes', async () => {
      const doc = (await t.app.inject('/docs/json')).json();
      const write = doc.paths['/api/v1/me/{kind}/{targetType}/{targetId}'];
      assert.ok(write.put && write.delete);
      assert.deepEqual(write.put.security, [{ session: [] }]);
      for (const path of [
        '/api/v1/me/{kind}',
        '/api/v1/users/{id}/followers',
        '/api/v1/users/{id}/following',
      ])
        assert.ok(doc.paths[path]?.get, `${path} missing`);
      const text = JSON.stringify(write);
      for (const code of ['INVALID_ENGAGEMENT_TARGET', 'CANNOT_FOLLOW_SELF', 'HLC_CLOCK_DRIFT'])
        assert.ok(text.includes(code), code);
    });
  });
}
