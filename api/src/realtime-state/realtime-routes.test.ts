import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  ChatMessage,
  DanmuWindow,
  DirectMessage,
  List,
  WatchProgress,
} from '@binge/core/protocol/catalog';
import type { RealtimeStore } from '@binge/core/realtime-state';
import { createSqlRealtimeStore } from '@binge/core/realtime-state/store-sql';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import {
  accessTokenFor,
  clientFor,
  signInAsGuest,
  type SessionClient,
} from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';

const MISSING = 2147483647;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`realtime-state routes on ${kind}`, () => {
    let t: TestApp;
    let store: RealtimeStore;
    let alice: SessionClient;
    let bob: SessionClient;
    let carol: SessionClient;
    let roomId: number;
    let draftRoomId: number;
    let episodeId: number;
    let otherEpisodeId: number;

    before(async () => {
      t = await openTestApp(kind);
      // The gateway's own store on the same database: rows here are what the socket wrote.
      store = createSqlRealtimeStore(t.db.db);
      const categoryId = await insertCategory(t.db.db, { slug: 'drama' });
      roomId = await insertSeries(t.db.db, { slug: 'room', categoryId });
      draftRoomId = await insertSeries(t.db.db, { slug: 'draft', categoryId, status: 'draft' });
      ({ episodeId } = await insertEpisode(t.db.db, { seriesId: roomId, number: 1 }));
      ({ episodeId: otherEpisodeId } = await insertEpisode(t.db.db, {
        seriesId: roomId,
        number: 2,
      }));
      alice = await signInAsGuest(t.app);
      bob = await signInAsGuest(t.app);
      carol = await signInAsGuest(t.app);
    });
    after(() => t.close());

    test('watch progress is the caller’s own, with the winning HLC stamp', async () => {
      const hlc = (wallMs: number) => ({ wallMs, counter: 0, node: 'phone-1' });
      await store.writeProgress({
        userId: alice.user.id,
        episodeId,
        posMs: 30_000,
        durMs: 90_000,
        hlc: hlc(1_000),
      });
      await store.writeProgress({
        userId: alice.user.id,
        episodeId: otherEpisodeId,
        posMs: 5_000,
        durMs: 90_000,
        hlc: hlc(2_000),
      });
      await store.writeProgress({
        userId: bob.user.id,
        episodeId,
        posMs: 1,
        durMs: 90_000,
        hlc: hlc(3_000),
      });
      const response = await alice.progress();
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['cache-control'], 'private, no-store');
      const { items }: List<WatchProgress> = response.json();
      assert.deepEqual(
        items.find((p) => p.episodeId === episodeId),
        { episodeId, positionMs: 30_000, durationMs: 90_000, hlc: hlc(1_000) },
      );
      assert.deepEqual(items.map((p) => p.episodeId).sort(), [episodeId, otherEpisodeId].sort());
      assert.equal((await alice.progress('limit=1')).json().items.length, 1);
      assert.deepEqual((await carol.progress()).json(), { items: [] });
    });

    test('DMs to and from the caller, oldest first, cmid only on what they sent', async () => {
      await store.addDm({
        from: alice.user.id,
        to: bob.user.id,
        text: 'hi bob',
        cmid: 'alice-dm-1',
      });
      await store.addDm({ from: bob.user.id, to: alice.user.id, text: 'hey', cmid: 'bob-dm-001' });
      await store.addDm({ from: carol.user.id, to: bob.user.id, text: 'psst', cmid: 'carol-dm-1' });
      const { items }: List<DirectMessage> = (await alice.dms()).json();
      assert.deepEqual(
        items.map(({ mid: _mid, createdAt: _at, ...rest }) => rest),
        [
          { from: alice.user.id, to: bob.user.id, text: 'hi bob', cmid: 'alice-dm-1' },
          { from: bob.user.id, to: alice.user.id, text: 'hey' },
        ],
      );
      assert.match(items[0]!.mid, /^[1-9]\d*$/);
      assert.ok(!Number.isNaN(Date.parse(items[0]!.createdAt)));
      const newest: List<DirectMessage> = (await alice.dms('limit=1')).json();
      assert.deepEqual(
        newest.items.map((dm) => dm.text),
        ['hey'],
      );
      assert.equal((await bob.dms()).json().items.length, 3);
    });

    test('room chat is for signed-in viewers of a published series', async () => {
      await store.addChat({ roomId, userId: alice.user.id, text: 'first!', cmid: 'alice-chat-1' });
      await store.addChat({ roomId, userId: bob.user.id, text: 'hello', cmid: 'bob-chat-01' });
      const response = await bob.chat(roomId);
      assert.equal(response.statusCode, 200, response.body);
      const { items }: List<ChatMessage> = response.json();
      assert.deepEqual(
        items.map(({ mid: _mid, createdAt: _at, ...rest }) => rest),
        [
          {
            roomId,
            userId: alice.user.id,
            name: alice.user.displayName,
            text: 'first!',
          },
          {
            roomId,
            userId: bob.user.id,
            name: bob.user.displayName,
            text: 'hello',
            cmid: 'bob-chat-01',
          },
        ],
      );
      assert.deepEqual(
        (await bob.chat(roomId, 'limit=1')).json().items.map((m: ChatMessage) => m.text),
        ['hello'],
      );
      assertProblem(await t.app.inject(`/api/v1/rooms/${roomId}/chat`), 401, 'AUTH_REQUIRED');
      assertProblem(await bob.chat(draftRoomId), 404, 'ROOM_NOT_FOUND');
      assertProblem(await bob.chat(MISSING), 404, 'ROOM_NOT_FOUND');
      for (const id of ['0', 'abc', '1e3', '99999999999'])
        assertProblem(await bob.chat(id), 400, 'INVALID_ID');
      // Sign-in is checked before anything about the request, so nothing leaks to strangers.
      assertProblem(await t.app.inject('/api/v1/rooms/abc/chat'), 401, 'AUTH_REQUIRED');
    });

    test('a danmu window: anyone may read it, authors see their cmid, more says there is more', async () => {
      const send = (user: SessionClient, posMs: number, cmid: string) =>
        store.addDanmu({
          episodeId,
          userId: user.user.id,
          text: `at ${posMs}`,
          posMs,
          mode: 0,
          colour: '#ffffff',
          size: 1,
          cmid,
        });
      await send(alice, 1_000, 'alice-dm-0001');
      await send(bob, 2_000, 'bob-danmu-01');
      await send(alice, 2_000, 'alice-dm-0002');
      await send(alice, 700_000, 'alice-dm-0003');

      const anonymous = await t.app.inject(`/api/v1/episodes/${episodeId}/danmu?from=0&to=600000`);
      assert.equal(anonymous.statusCode, 200, anonymous.body);
      const all: DanmuWindow = anonymous.json();
      assert.equal(all.more, false);
      assert.deepEqual(
        all.items.map((d) => [d.posMs, d.userId, d.cmid]),
        [
          [1_000, alice.user.id, undefined],
          [2_000, bob.user.id, undefined],
          [2_000, alice.user.id, undefined],
        ],
      );
      assert.deepEqual(
        { ...all.items[0], mid: 'x', createdAt: 'x' },
        {
          mid: 'x',
          episodeId,
          userId: alice.user.id,
          text: 'at 1000',
          posMs: 1_000,
          mode: 0,
          colour: '#ffffff',
          size: 1,
          createdAt: 'x',
        },
      );
      const mine: DanmuWindow = (await alice.danmu(episodeId, 'from=0&to=600000')).json();
      assert.deepEqual(
        mine.items.map((d) => d.cmid),
        ['alice-dm-0001', undefined, 'alice-dm-0002'],
      );
      const page: DanmuWindow = (await bob.danmu(episodeId, 'from=0&to=600000&limit=2')).json();
      assert.deepEqual([page.items.length, page.more], [2, true]);
      const rest: DanmuWindow = (await bob.danmu(episodeId, 'from=2000&to=2000')).json();
      assert.equal(rest.items.length, 2);
      const late: DanmuWindow = (await bob.danmu(episodeId, 'from=600000&to=1200000')).json();
      assert.deepEqual(
        late.items.map((d) => d.posMs),
        [700_000],
      );
    });

    test('danmu windows, limits and episodes are checked', async () => {
      const danmu = (query: string, id: number | string = episodeId) =>
        t.app.inject(`/api/v1/episodes/${id}/danmu?${query}`);
      assert.equal((await danmu('from=0&to=600000&limit=1000')).statusCode, 200);
      assertProblem(await danmu('from=10&to=9'), 400, 'INVALID_DANMU_WINDOW');
      assertProblem(await danmu('from=0&to=600001'), 400, 'INVALID_DANMU_WINDOW');
      assertProblem(await danmu('from=0&to=10&limit=1001'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await danmu('from=0&to=10&limit=0'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      for (const query of ['to=10', 'from=0', 'from=-1&to=10', 'from=1e3&to=2000', 'from=0&to=abc'])
        assertProblem(await danmu(query), 400, 'VALIDATION_FAILED');
      assertProblem(await danmu('from=0&to=10&limit=0x10'), 400, 'VALIDATION_FAILED');
      assertProblem(await danmu('from=0&to=10&limit=5&limit=6'), 400, 'VALIDATION_FAILED');
      assertProblem(await danmu('from=0&to=10', MISSING), 404, 'EPISODE_NOT_FOUND');
      assertProblem(await danmu('from=0&to=10', 'abc'), 400, 'INVALID_ID');
    });

    test('a bad bearer on the danmu read is a 401, never an anonymous answer', async () => {
      const rt = (await alice.realtimeToken()).json().token as string;
      assertProblem(
        await clientFor(t.app, alice.user, rt).danmu(episodeId, 'from=0&to=10'),
        401,
        'SESSION_INVALID',
      );
      const expired = await accessTokenFor(t.config, alice, {
        ttlSeconds: 1,
        nowMs: Date.now() - 60_000,
      });
      assertProblem(
        await clientFor(t.app, alice.user, expired).danmu('abc', 'from=0&to=10'),
        401,
        'SESSION_EXPIRED',
      );
    });

    test('limits of the refetch reads are 1 to 500, decimal', async () => {
      assert.equal((await alice.progress('limit=500')).statusCode, 200);
      for (const limit of ['0', '501', '-1']) {
        assertProblem(await alice.progress(`limit=${limit}`), 400, 'PAGE_SIZE_OUT_OF_RANGE');
        assertProblem(await alice.dms(`limit=${limit}`), 400, 'PAGE_SIZE_OUT_OF_RANGE');
        assertProblem(await alice.chat(roomId, `limit=${limit}`), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      }
      for (const limit of ['abc', '1.5', '0x10', '1e2', '%205'])
        assertProblem(await alice.dms(`limit=${limit}`), 400, 'VALIDATION_FAILED');
      for (const url of ['/api/v1/me/progress', '/api/v1/me/dms?limit=abc'])
        assertProblem(await t.app.inject(url), 401, 'AUTH_REQUIRED');
    });

    test('blocking keeps a user’s DMs out until unblocked; both are idempotent', async () => {
      const blocked = await alice.block(carol.user.id);
      assert.equal(blocked.statusCode, 204, blocked.body);
      assert.equal(blocked.body, '');
      assert.equal(await store.isBlocked(alice.user.id, carol.user.id), true);
      assert.equal(await store.isBlocked(carol.user.id, alice.user.id), false);
      assert.equal((await alice.block(carol.user.id)).statusCode, 204);
      const listed = await alice.blocks();
      assert.equal(listed.statusCode, 200, listed.body);
      const blocks = listed.json() as { items: { userId: number; blockedAt: string }[] };
      assert.deepEqual(
        blocks.items.map((b) => b.userId),
        [carol.user.id],
      );
      assert.ok(!Number.isNaN(Date.parse(blocks.items[0]!.blockedAt)));
      assert.equal(
        await store.addDm({
          from: carol.user.id,
          to: alice.user.id,
          text: 'hi',
          cmid: 'carol-blk-1',
        }),
        'blocked',
      );

      assert.equal((await alice.unblock(carol.user.id)).statusCode, 204);
      assert.equal(await store.isBlocked(alice.user.id, carol.user.id), false);
      assert.deepEqual((await alice.blocks()).json(), { items: [] });
      assertProblem(await t.app.inject('/api/v1/me/blocks'), 401, 'AUTH_REQUIRED');
      assert.equal((await alice.unblock(carol.user.id)).statusCode, 204);
      const sent = await store.addDm({
        from: carol.user.id,
        to: alice.user.id,
        text: 'hi again',
        cmid: 'carol-blk-2',
      });
      assert.notEqual(sent, 'blocked');
    });

    test('blocks of yourself, of nobody and of malformed ids are refused', async () => {
      for (const call of ['block', 'unblock'] as const) {
        assertProblem(await alice[call](alice.user.id), 400, 'CANNOT_BLOCK_SELF');
        assertProblem(await alice[call](MISSING), 404, 'USER_NOT_FOUND');
        for (const id of ['0', '-1', 'abc', '99999999999'])
          assertProblem(await alice[call](id), 400, 'INVALID_ID');
      }
      for (const method of ['PUT', 'DELETE'] as const)
        assertProblem(
          await t.app.inject({ method, url: `/api/v1/me/blocks/${bob.user.id}` }),
          401,
          'AUTH_REQUIRED',
        );
      assert.equal(await store.isBlocked(alice.user.id, alice.user.id), false);
    });
  });
}
