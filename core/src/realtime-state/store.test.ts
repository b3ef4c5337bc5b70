import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { and, count, eq } from 'drizzle-orm';
import { hotScore } from '../catalog/hot-score.ts';
import type { DatabaseHandle } from '../db/database.ts';
import {
  chatMessages,
  chatMutes,
  danmu,
  dmMessages,
  dmReceipts,
  episodes,
  mediaAssets,
  watchProgress,
} from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { compareStamps, type HlcStamp } from '../protocol/crdt/hlc-stamp.ts';
import {
  StoreNotFoundError,
  type NewDanmu,
  type ProgressRecord,
  type RealtimeStore,
} from './store.ts';
import { createSqlRealtimeStore } from './store-sql.ts';

/** An id no test ever inserts: the largest int32, so it is valid input but names nothing. */
const missingId = 2_147_483_647;
const HOUR = 3_600_000;

type Seeder = TestSeeder;

async function rejectsNotFound(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StoreNotFoundError, `not a StoreNotFoundError: ${String(error)}`);
    assert.equal(error.code, 'NOT_FOUND');
    return true;
  });
}

const stamp = (wallMs: number, counter: number, node: string): HlcStamp => ({
  wallMs,
  counter,
  node,
});

function storeContract(kind: 'pglite' | 'postgres') {
  describe(`SQL realtime store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: RealtimeStore;
    let seed: Seeder;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlRealtimeStore(handle.db);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    const danmuOf = (episodeId: number, userId: number, extra: Partial<NewDanmu> = {}) => ({
      episodeId,
      userId,
      text: 'wow',
      posMs: 1_000,
      mode: 0 as const,
      colour: '#ffffff',
      size: 1 as const,
      cmid: seed.cmid(),
      ...extra,
    });

    test('lookups: episodes, rooms (published series only), users and display names', async () => {
      const { seriesId, episodeId } = await seed.room();
      const draft = await seed.series({ status: 'draft' });
      const user = await seed.user('Lin Yue');
      assert.equal(await store.episodeExists(episodeId), true);
      assert.equal(await store.episodeExists(missingId), false);
      assert.equal(await store.roomExists(seriesId), true);
      assert.equal(await store.roomExists(draft), false);
      assert.equal(await store.roomExists(missingId), false);
      assert.equal(await store.userExists(user), true);
      assert.equal(await store.userExists(missingId), false);
      assert.equal(await store.displayName(user), 'Lin Yue');
      assert.equal(await store.displayName(missingId), null);
    });

    describe('danmu', () => {
      test('a retried cmid returns the original row and stores nothing new', async () => {
        const { episodeId } = await seed.room();
        const user = await seed.user();
        const input = danmuOf(episodeId, user, { text: 'first', posMs: 4_200, mode: 1, size: 2 });
        const first = await store.addDanmu(input);
        assert.equal(first.duplicate, false);
        assert.match(first.record.mid, /^[1-9][0-9]*$/);
        assert.deepEqual(
          { ...first.record, mid: undefined, createdAtMs: undefined },
          { ...input, mid: undefined, createdAtMs: undefined },
        );
        assert.ok(Math.abs(first.record.createdAtMs - Date.now()) < 60_000);

        // The retry carries another text: the original still wins, as the client's first send did.
        const retry = await store.addDanmu({ ...input, text: 'changed' });
        assert.deepEqual(retry, { record: first.record, duplicate: true });

        // The same cmid from another user is another message.
        const other = await store.addDanmu({ ...input, userId: await seed.user() });
        assert.equal(other.duplicate, false);
        assert.notEqual(other.record.mid, first.record.mid);

        const [stored] = await handle.db
          .select({ n: count() })
          .from(danmu)
          .where(eq(danmu.episodeId, episodeId));
        assert.equal(stored!.n, 2);
      });

      test('concurrent retries of one cmid all answer the same mid, one of them new', async () => {
        const { episodeId } = await seed.room();
        const input = danmuOf(episodeId, await seed.user());
        const results = await Promise.all(
          Array.from({ length: 8 }, () => store.addDanmu({ ...input })),
        );
        assert.equal(new Set(results.map((r) => r.record.mid)).size, 1);
        assert.equal(results.filter((r) => !r.duplicate).length, 1);
        const [stored] = await handle.db
          .select({ n: count() })
          .from(danmu)
          .where(eq(danmu.episodeId, episodeId));
        assert.equal(stored!.n, 1);
      });

      test('rejects a missing episode or user with StoreNotFoundError', async () => {
        const { episodeId } = await seed.room();
        const user = await seed.user();
        await rejectsNotFound(store.addDanmu(danmuOf(missingId, user)));
        await rejectsNotFound(store.addDanmu(danmuOf(episodeId, missingId)));
        const [stored] = await handle.db
          .select({ n: count() })
          .from(danmu)
          .where(eq(danmu.userId, user));
        assert.equal(stored!.n, 0);
      });

      test('a window is ordered by (posMs, mid), inclusive, bounded, and says when more remain', async () => {
        const { seriesId, episodeId } = await seed.room();
        const otherEpisode = await seed.episode(seriesId, 2);
        const user = await seed.user();
        const mids = new Map<string, number>();
        for (const posMs of [500, 100, 300, 900, 100, 300, 99, 501]) {
          const { record } = await store.addDanmu(danmuOf(episodeId, user, { posMs }));
          mids.set(record.mid, posMs);
        }
        await store.addDanmu(danmuOf(otherEpisode, user, { posMs: 200 }));

        const inWindow = [...mids]
          .filter(([, pos]) => pos >= 100 && pos <= 500)
          .sort(([a, pa], [b, pb]) => pa - pb || Number(a) - Number(b))
          .map(([mid]) => mid);
        assert.equal(inWindow.length, 5);

        const all = await store.danmuWindow(episodeId, 100, 500, 10);
        assert.deepEqual(
          all.records.map((r) => r.mid),
          inWindow,
        );
        assert.equal(all.more, false);
        assert.ok(all.records.every((r) => r.episodeId === episodeId));

        const exact = await store.danmuWindow(episodeId, 100, 500, 5);
        assert.equal(exact.records.length, 5);
        assert.equal(exact.more, false);

        const page = await store.danmuWindow(episodeId, 100, 500, 3);
        assert.deepEqual(
          page.records.map((r) => r.mid),
          inWindow.slice(0, 3),
        );
        assert.equal(page.more, true);

        // Keyset paging continues exactly, even inside a run of danmu at one position.
        const last = page.records.at(-1)!;
        const rest = await store.danmuWindow(episodeId, last.posMs, 500, 10, last.mid);
        assert.deepEqual(
          rest.records.map((r) => r.mid),
          inWindow.slice(3),
        );
        const single = await store.danmuWindow(episodeId, 100, 500, 1);
        const second = await store.danmuWindow(episodeId, 100, 500, 1, single.records[0]!.mid);
        assert.deepEqual(
          second.records.map((r) => r.mid),
          inWindow.slice(1, 2),
          'the second danmu at position 100',
        );
        await assert.rejects(store.danmuWindow(episodeId, 100, 500, 1, 'abc'), RangeError);

        const empty = await store.danmuWindow(episodeId, 600, 800, 10);
        assert.deepEqual(empty, { records: [], more: false });
      });
    });

    describe('chat', () => {
      test('stores with the sender’s display name; a retry (even concurrent) is the original', async () => {
        const { seriesId } = await seed.room();
        const user = await seed.user('Chen Mo');
        const input = { roomId: seriesId, userId: user, text: 'hello', cmid: seed.cmid() };
        const first = await store.addChat(input);
        assert.ok(first !== 'muted');
        assert.equal(first.duplicate, false);
        assert.equal(first.record.name, 'Chen Mo');
        assert.equal(first.record.text, 'hello');
        assert.equal(first.record.roomId, seriesId);
        assert.deepEqual(await store.addChat(input), { record: first.record, duplicate: true });

        const concurrent = { ...input, cmid: seed.cmid() };
        const results = await Promise.all(
          Array.from({ length: 6 }, () => store.addChat({ ...concurrent })),
        );
        const stored = results.map((r) => {
          assert.ok(r !== 'muted');
          return r;
        });
        assert.equal(new Set(stored.map((r) => r.record.mid)).size, 1);
        assert.equal(stored.filter((r) => !r.duplicate).length, 1);
        assert.deepEqual(
          (await store.recentChat(seriesId, 10)).map((r) => r.mid),
          [first.record.mid, stored[0]!.record.mid],
        );
      });

      test('a missing or unpublished room, or a missing user, is StoreNotFoundError', async () => {
        const user = await seed.user();
        const draft = await seed.series({ status: 'draft' });
        const { seriesId } = await seed.room();
        const message = (roomId: number, userId = user) => ({
          roomId,
          userId,
          text: 'hi',
          cmid: seed.cmid(),
        });
        await rejectsNotFound(store.addChat(message(missingId)));
        await rejectsNotFound(store.addChat(message(draft)));
        await rejectsNotFound(store.addChat(message(seriesId, missingId)));
        assert.deepEqual(await store.recentChat(draft, 10), []);
      });

      test('an active mute refuses; an expired one or another room’s does not', async () => {
        const { seriesId } = await seed.room();
        const { seriesId: otherRoom } = await seed.room();
        const user = await seed.user();
        const send = (roomId = seriesId, cmid = seed.cmid()) =>
          store.addChat({ roomId, userId: user, text: 'hi', cmid });

        const accepted = await send();
        assert.ok(accepted !== 'muted');

        await handle.db.insert(chatMutes).values({ roomId: seriesId, userId: user, until: null });
        assert.equal(await send(), 'muted');
        // Accepted before the mute: its retry still answers the original.
        assert.deepEqual(await send(seriesId, accepted.record.cmid), {
          record: accepted.record,
          duplicate: true,
        });
        const elsewhere = await send(otherRoom);
        assert.ok(elsewhere !== 'muted' && !elsewhere.duplicate);

        const mute = and(eq(chatMutes.roomId, seriesId), eq(chatMutes.userId, user));
        await handle.db
          .update(chatMutes)
          .set({ until: new Date(Date.now() + HOUR) })
          .where(mute);
        assert.equal(await send(), 'muted');

        await handle.db
          .update(chatMutes)
          .set({ until: new Date(Date.now() - 1_000) })
          .where(mute);
        const afterExpiry = await send();
        assert.ok(afterExpiry !== 'muted' && !afterExpiry.duplicate);

        const [stored] = await handle.db
          .select({ n: count() })
          .from(chatMessages)
          .where(eq(chatMessages.userId, user));
        assert.equal(stored!.n, 3, 'muted sends stored nothing');
      });

      test('recentChat is the newest `limit` messages of the room, oldest first', async () => {
        const { seriesId } = await seed.room();
        const { seriesId: otherRoom } = await seed.room();
        const alice = await seed.user('Alice');
        const bob = await seed.user('Bob');
        const mids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const sent = await store.addChat({
            roomId: seriesId,
            userId: i % 2 === 0 ? alice : bob,
            text: `m${i}`,
            cmid: seed.cmid(),
          });
          assert.ok(sent !== 'muted');
          mids.push(sent.record.mid);
        }
        await store.addChat({ roomId: otherRoom, userId: alice, text: 'x', cmid: seed.cmid() });
        const recent = await store.recentChat(seriesId, 3);
        assert.deepEqual(
          recent.map((r) => [r.mid, r.text, r.name]),
          [
            [mids[2], 'm2', 'Alice'],
            [mids[3], 'm3', 'Bob'],
            [mids[4], 'm4', 'Alice'],
          ],
        );
        assert.equal((await store.recentChat(seriesId, 100)).length, 5);
        assert.deepEqual(await store.recentChat(seriesId, 0), []);
      });
    });

    describe('direct messages', () => {
      test('idempotent by (sender, cmid), also for concurrent retries', async () => {
        const alice = await seed.user();
        const bob = await seed.user();
        const input = { from: alice, to: bob, text: 'hi bob', cmid: seed.cmid() };
        const first = await store.addDm(input);
        assert.ok(typeof first === 'object');
        assert.equal(first.duplicate, false);
        assert.deepEqual(
          { from: first.record.from, to: first.record.to, text: first.record.text },
          { from: alice, to: bob, text: 'hi bob' },
        );
        assert.deepEqual(await store.addDm(input), { record: first.record, duplicate: true });

        const concurrent = { ...input, cmid: seed.cmid() };
        const results = await Promise.all(
          Array.from({ length: 6 }, () => store.addDm({ ...concurrent })),
        );
        const stored = results.map((r) => {
          assert.ok(typeof r === 'object', String(r));
          return r;
        });
        assert.equal(new Set(stored.map((r) => r.record.mid)).size, 1);
        assert.equal(stored.filter((r) => !r.duplicate).length, 1);
      });

      test('a missing recipient is notFound; a missing sender is StoreNotFoundError', async () => {
        const alice = await seed.user();
        assert.equal(
          await store.addDm({ from: alice, to: missingId, text: 'x', cmid: seed.cmid() }),
          'notFound',
        );
        await rejectsNotFound(
          store.addDm({ from: missingId, to: alice, text: 'x', cmid: seed.cmid() }),
        );
      });

      test('a block refuses new messages one way only, and never a retry of an accepted one', async () => {
        const alice = await seed.user();
        const bob = await seed.user();
        const accepted = await store.addDm({ from: alice, to: bob, text: 'a', cmid: seed.cmid() });
        assert.ok(typeof accepted === 'object');

        await store.block(bob, alice);
        await store.block(bob, alice); // blocking twice is one block
        assert.equal(await store.isBlocked(bob, alice), true);
        assert.equal(await store.isBlocked(alice, bob), false);
        const listed = await store.blockedUsers(bob, 10);
        assert.deepEqual(
          listed.map((b) => b.userId),
          [alice],
        );
        assert.deepEqual(await store.blockedUsers(alice, 10), []);
        await assert.rejects(store.blockedUsers(bob, -1), RangeError);

        assert.equal(
          await store.addDm({ from: alice, to: bob, text: 'b', cmid: seed.cmid() }),
          'blocked',
        );
        assert.deepEqual(await store.addDm({ ...accepted.record }), {
          record: accepted.record,
          duplicate: true,
        });
        const reply = await store.addDm({ from: bob, to: alice, text: 'c', cmid: seed.cmid() });
        assert.ok(typeof reply === 'object' && !reply.duplicate, 'the blocker may still write');

        const [stored] = await handle.db
          .select({ n: count() })
          .from(dmMessages)
          .where(eq(dmMessages.senderId, alice));
        assert.equal(stored!.n, 1, 'the refused message is not stored');

        await store.unblock(bob, alice);
        assert.equal(await store.isBlocked(bob, alice), false);
        assert.deepEqual(await store.blockedUsers(bob, 10), []);
        const again = await store.addDm({ from: alice, to: bob, text: 'd', cmid: seed.cmid() });
        assert.ok(typeof again === 'object' && !again.duplicate);
      });

      test('block of a missing user is StoreNotFoundError; of oneself a RangeError', async () => {
        const alice = await seed.user();
        await rejectsNotFound(store.block(alice, missingId));
        await assert.rejects(store.block(alice, alice), RangeError);
        await assert.rejects(
          store.addDm({ from: alice, to: alice, text: 'x', cmid: seed.cmid() }),
          RangeError,
        );
      });

      test('recentDms is the newest `limit` messages to or from the user, oldest first', async () => {
        const alice = await seed.user();
        const bob = await seed.user();
        const carol = await seed.user();
        const sent: string[] = [];
        for (const [from, to] of [
          [alice, bob],
          [bob, alice],
          [carol, alice],
          [bob, carol],
          [alice, carol],
        ] as const) {
          const dm = await store.addDm({ from, to, text: `${from}>${to}`, cmid: seed.cmid() });
          assert.ok(typeof dm === 'object');
          sent.push(dm.record.mid);
        }
        assert.deepEqual(
          (await store.recentDms(alice, 10)).map((r) => r.mid),
          [sent[0], sent[1], sent[2], sent[4]],
        );
        assert.deepEqual(
          (await store.recentDms(alice, 2)).map((r) => r.mid),
          [sent[2], sent[4]],
        );
        assert.deepEqual(
          (await store.recentDms(bob, 10)).map((r) => r.mid),
          [sent[0], sent[1], sent[3]],
        );
      });
    });

    describe('receipts', () => {
      async function conversation() {
        const alice = await seed.user();
        const bob = await seed.user();
        const mids: string[] = [];
        for (let i = 0; i < 3; i++) {
          const dm = await store.addDm({ from: alice, to: bob, text: `m${i}`, cmid: seed.cmid() });
          assert.ok(typeof dm === 'object');
          mids.push(dm.record.mid);
        }
        return { alice, bob, mids: mids as [string, string, string] };
      }

      async function marks(readerId: number, peerId: number) {
        const [row] = await handle.db
          .select({ delivered: dmReceipts.deliveredUpTo, read: dmReceipts.readUpTo })
          .from(dmReceipts)
          .where(and(eq(dmReceipts.readerId, readerId), eq(dmReceipts.peerId, peerId)));
        return row && { delivered: String(row.delivered), read: String(row.read) };
      }

      test('cumulative: a mark only moves up, and reading implies delivery', async () => {
        const { alice, bob, mids } = await conversation();
        const [m1, m2, m3] = mids;

        assert.deepEqual(await store.receipt(bob, m2, 'delivered'), {
          kind: 'advanced',
          peerId: alice,
          mid: m2,
        });
        assert.deepEqual(await store.receipt(bob, m1, 'delivered'), {
          kind: 'unchanged',
          peerId: alice,
        });
        assert.deepEqual(await store.receipt(bob, m2, 'delivered'), {
          kind: 'unchanged',
          peerId: alice,
        });
        assert.deepEqual(await marks(bob, alice), { delivered: m2, read: '0' });

        assert.deepEqual(await store.receipt(bob, m1, 'read'), {
          kind: 'advanced',
          peerId: alice,
          mid: m1,
        });
        assert.deepEqual(await marks(bob, alice), { delivered: m2, read: m1 });

        assert.deepEqual(await store.receipt(bob, m3, 'read'), {
          kind: 'advanced',
          peerId: alice,
          mid: m3,
        });
        assert.deepEqual(await marks(bob, alice), { delivered: m3, read: m3 });
        assert.deepEqual(await store.receipt(bob, m3, 'delivered'), {
          kind: 'unchanged',
          peerId: alice,
        });
        assert.deepEqual(await store.receipt(bob, m2, 'read'), {
          kind: 'unchanged',
          peerId: alice,
        });
        assert.deepEqual(await marks(bob, alice), { delivered: m3, read: m3 });
      });

      test('a first receipt of kind read sets both marks', async () => {
        const { alice, bob, mids } = await conversation();
        assert.equal((await store.receipt(bob, mids[1], 'read')).kind, 'advanced');
        assert.deepEqual(await marks(bob, alice), { delivered: mids[1], read: mids[1] });
      });

      test('only the recipient may acknowledge, and only a real decimal message id', async () => {
        const { alice, bob, mids } = await conversation();
        const carol = await seed.user();
        assert.deepEqual(await store.receipt(alice, mids[0], 'read'), { kind: 'notFound' });
        assert.deepEqual(await store.receipt(carol, mids[0], 'delivered'), { kind: 'notFound' });
        for (const mid of [
          '',
          'abc',
          '0',
          '-1',
          `0${mids[0]}`,
          `${mids[0]}.0`,
          ' 1',
          '1e3',
          '99999999999999999999999',
          '9223372036854775807',
          String(Number(mids[2]) + 1_000_000),
        ])
          assert.deepEqual(await store.receipt(bob, mid, 'read'), { kind: 'notFound' }, mid);
        assert.equal(await marks(bob, alice), undefined);
      });
    });

    describe('watch progress', () => {
      async function target() {
        const { episodeId } = await seed.room();
        return { userId: await seed.user(), episodeId };
      }
      const write = (
        at: { userId: number; episodeId: number },
        posMs: number,
        hlc: HlcStamp,
        durMs = 90_000,
      ): ProgressRecord => ({ ...at, posMs, durMs, hlc });

      test('two devices with out-of-order stamps converge in either order', async () => {
        const phoneEarlier = (at: { userId: number; episodeId: number }) =>
          write(at, 50_000, stamp(1_700_000_000_500, 0, 'phone'));
        const tabletLater = (at: { userId: number; episodeId: number }) =>
          write(at, 20_000, stamp(1_700_000_000_500, 1, 'tablet'));

        const forward = await target();
        assert.equal((await store.writeProgress(phoneEarlier(forward))).applied, true);
        const forwardLast = await store.writeProgress(tabletLater(forward));
        assert.deepEqual(forwardLast, { winner: tabletLater(forward), applied: true });

        const backward = await target();
        assert.equal((await store.writeProgress(tabletLater(backward))).applied, true);
        const stale = await store.writeProgress(phoneEarlier(backward));
        assert.deepEqual(stale, { winner: tabletLater(backward), applied: false });

        const [a] = await store.progressOf(forward.userId, 10);
        const [b] = await store.progressOf(backward.userId, 10);
        assert.deepEqual(
          { ...a, userId: 0, episodeId: 0 },
          { ...b, userId: 0, episodeId: 0 },
          'the same winner whichever arrived first',
        );
      });

      test('a stale write never rewinds, whichever stamp field decides', async () => {
        const at = await target();
        const current = write(at, 30_000, stamp(2_000, 5, 'm'));
        await store.writeProgress(current);
        for (const older of [
          stamp(1_999, 65_535, 'zzz'),
          stamp(2_000, 4, 'zzz'),
          stamp(2_000, 5, 'l'),
          stamp(2_000, 5, 'M'),
        ]) {
          const outcome = await store.writeProgress(write(at, 89_000, older));
          assert.deepEqual(outcome, { winner: current, applied: false }, JSON.stringify(older));
        }
        assert.deepEqual(await store.progressOf(at.userId, 10), [current]);
      });

      test('node ids compare as bytes, as compareStamps does', async () => {
        // ASCII order: '-' < digits < upper case < '_' < lower case; a locale collation differs.
        const nodes = ['a', '_', 'Z', '-', '9', 'A-', 'A_', 'a-b', 'ab'];
        for (const [i, x] of nodes.entries())
          for (const y of nodes.slice(i + 1)) {
            const at = await target();
            const sx = stamp(5_000, 1, x);
            const sy = stamp(5_000, 1, y);
            await store.writeProgress(write(at, 1_000, sx));
            const { winner } = await store.writeProgress(write(at, 2_000, sy));
            const expected = compareStamps(sx, sy) > 0 ? sx : sy;
            assert.deepEqual(winner.hlc, expected, `${x} vs ${y}`);
          }
      });

      test('concurrent writers leave the highest stamp, and every answer is at least its own', async () => {
        const at = await target();
        const writes = Array.from({ length: 24 }, (_, i) =>
          write(at, i * 1_000, stamp(10_000 + ((i * 7) % 5), (i * 11) % 3, `n${(i * 5) % 4}`)),
        );
        const best = writes.reduce((a, b) => (compareStamps(a.hlc, b.hlc) >= 0 ? a : b));
        const outcomes = await Promise.all(writes.map((w) => store.writeProgress(w)));
        for (const [i, outcome] of outcomes.entries()) {
          assert.ok(compareStamps(outcome.winner.hlc, writes[i]!.hlc) >= 0);
          if (outcome.applied) assert.deepEqual(outcome.winner, writes[i]);
        }
        assert.equal(outcomes[writes.indexOf(best)]!.applied, true);
        assert.deepEqual(await store.progressOf(at.userId, 10), [best]);
      });

      test('an equal stamp: a retry is applied, another value is decided by value, not arrival', async () => {
        const at = await target();
        const original = write(at, 40_000, stamp(7_000, 0, 'dev'));
        await store.writeProgress(original);
        assert.deepEqual(await store.writeProgress({ ...original }), {
          winner: original,
          applied: true,
        });
        // A replica reusing a stamp for another value: the greater (durMs, posMs) holds, as
        // mergeRegister's canonical tie-break on the client keeps it.
        const lower = write(at, 10_000, original.hlc);
        assert.deepEqual(await store.writeProgress(lower), { winner: original, applied: false });
        const higher = write(at, 60_000, original.hlc);
        assert.deepEqual(await store.writeProgress(higher), { winner: higher, applied: true });
      });

      test('a missing episode or user is StoreNotFoundError', async () => {
        const at = await target();
        await rejectsNotFound(
          store.writeProgress(write({ ...at, episodeId: missingId }, 0, stamp(1, 0, 'x'))),
        );
        await rejectsNotFound(
          store.writeProgress(write({ ...at, userId: missingId }, 0, stamp(1, 0, 'x'))),
        );
      });

      test('progressOf lists the user’s records, most recently updated first', async () => {
        const { seriesId, episodeId: first } = await seed.room();
        const second = await seed.episode(seriesId, 2);
        const third = await seed.episode(seriesId, 3);
        const userId = await seed.user();
        const other = await seed.user();
        for (const [i, episodeId] of [first, second, third].entries()) {
          await store.writeProgress(write({ userId, episodeId }, 1_000, stamp(100 + i, 0, 'd')));
          await handle.db
            .update(watchProgress)
            .set({ updatedAt: new Date(Date.UTC(2026, 0, 1, [2, 0, 1][i]!)) })
            .where(and(eq(watchProgress.userId, userId), eq(watchProgress.episodeId, episodeId)));
        }
        await store.writeProgress(write({ userId: other, episodeId: first }, 5, stamp(1, 0, 'd')));
        assert.deepEqual(
          (await store.progressOf(userId, 10)).map((r) => r.episodeId),
          [first, third, second],
        );
        assert.deepEqual(
          (await store.progressOf(userId, 2)).map((r) => r.episodeId),
          [first, third],
        );
      });
    });

    test('ids that are not positive int32 are a RangeError and never reach SQL', async () => {
      const user = await seed.user();
      const { seriesId, episodeId } = await seed.room();
      const bad = [0, -1, 1.5, 2_147_483_648, Number.NaN, Number.POSITIVE_INFINITY];
      const calls: Array<(id: number) => Promise<unknown>> = [
        (id) => store.episodeExists(id),
        (id) => store.roomExists(id),
        (id) => store.userExists(id),
        (id) => store.displayName(id),
        (id) => store.addDanmu(danmuOf(id, user)),
        (id) => store.addDanmu(danmuOf(episodeId, id)),
        (id) => store.danmuWindow(id, 0, 1_000, 10),
        (id) => store.addChat({ roomId: id, userId: user, text: 'x', cmid: seed.cmid() }),
        (id) => store.addChat({ roomId: seriesId, userId: id, text: 'x', cmid: seed.cmid() }),
        (id) => store.recentChat(id, 10),
        (id) => store.addDm({ from: id, to: user, text: 'x', cmid: seed.cmid() }),
        (id) => store.addDm({ from: user, to: id, text: 'x', cmid: seed.cmid() }),
        (id) => store.receipt(id, '1', 'read'),
        (id) => store.recentDms(id, 10),
        (id) => store.block(id, user),
        (id) => store.unblock(user, id),
        (id) => store.isBlocked(id, user),
        (id) =>
          store.writeProgress({
            userId: user,
            episodeId: id,
            posMs: 0,
            durMs: 1,
            hlc: stamp(1, 0, 'd'),
          }),
        (id) => store.progressOf(id, 10),
        (id) => store.feedPage(id, 0, 10, new Date()),
      ];
      for (const [i, call] of calls.entries())
        for (const id of bad) await assert.rejects(call(id), RangeError, `call ${i} with ${id}`);

      await assert.rejects(store.danmuWindow(episodeId, 0, 1_000, -1), RangeError);
      await assert.rejects(store.recentChat(seriesId, 1.5), RangeError);
      await assert.rejects(store.feedPage(null, -1, 10, new Date()), RangeError);
      await assert.rejects(store.feedPage(null, 0, 10, new Date(Number.NaN)), RangeError);
      const progress = { userId: user, episodeId, posMs: 0, durMs: 1_000, hlc: stamp(1, 0, 'd') };
      await assert.rejects(store.writeProgress({ ...progress, posMs: 1_001 }), RangeError);
      await assert.rejects(
        store.writeProgress({ ...progress, hlc: stamp(-1, 0, 'd') }),
        RangeError,
      );
      await assert.rejects(
        store.writeProgress({ ...progress, hlc: stamp(1, 0, 'no spaces') }),
        RangeError,
      );
      assert.deepEqual(await store.progressOf(user, 10), [], 'nothing was stored');
    });

    describe('feed pages', () => {
      // The feed ranks every published series of the database, so each of these tests gets an
      // empty database of its own instead of sharing the one above.
      let feedHandle: DatabaseHandle;
      let feed: RealtimeStore;
      let feedSeed: Seeder;
      beforeEach(async () => {
        feedHandle = await openTestDatabase(kind);
        feed = createSqlRealtimeStore(feedHandle.db);
        feedSeed = createTestSeeder(feedHandle.db);
      });
      afterEach(() => feedHandle.close());

      const now = new Date('2026-05-01T12:00:00.000Z');
      const hoursAgo = (h: number) => new Date(now.getTime() - h * HOUR);

      async function collect(viewerId: number | null, pageSize: number) {
        const pages: Array<{
          entries: Array<{ episodeId: number; seriesId: number }>;
          more: boolean;
        }> = [];
        for (let offset = 0; ; offset += pageSize) {
          const page = await feed.feedPage(viewerId, offset, pageSize, now);
          pages.push(page);
          if (!page.more) return pages;
          assert.ok(pages.length < 50, 'paging terminates');
        }
      }

      test('published series with a playable episode, in hot order, paged with `more`', async () => {
        const shows = [
          { views: 10, likes: 0, age: 1 },
          { views: 5_000, likes: 100, age: 24 * 7 },
          { views: 200, likes: 10, age: 5 },
          { views: 0, likes: 0, age: 0.5 },
          { views: 40, likes: 2, age: 3 },
          { views: 40, likes: 2, age: 3 }, // the same score as the one before: id decides
        ];
        const expected: Array<{ seriesId: number; episodeId: number; score: number }> = [];
        for (const show of shows) {
          const seriesId = await feedSeed.series({
            publishedAt: hoursAgo(show.age),
            views: show.views,
            likes: show.likes,
          });
          // Episode 1 is still transcoding: the feed starts each series at its first playable one.
          await feedSeed.episode(seriesId, 1, false);
          const episodeId = await feedSeed.episode(seriesId, 2, true);
          await feedSeed.episode(seriesId, 3, true);
          expected.push({ seriesId, episodeId, score: hotScore(show.views, show.likes, show.age) });
        }
        expected.sort((a, b) => b.score - a.score || b.seriesId - a.seriesId);

        // Never in the feed: a draft, a series without playable episodes, and one whose only
        // ready episode has a failed published asset.
        const draft = await feedSeed.series({ status: 'draft', views: 1e6 });
        await feedSeed.episode(draft, 1, true);
        const unplayable = await feedSeed.series({ views: 1e6, publishedAt: hoursAgo(1) });
        await feedSeed.episode(unplayable, 1, false);
        const broken = await feedSeed.series({ views: 1e6, publishedAt: hoursAgo(1) });
        const brokenEpisode = await feedSeed.episode(broken, 1, true);
        await feedHandle.db
          .update(mediaAssets)
          .set({ status: 'failed' })
          .where(eq(mediaAssets.episodeId, brokenEpisode));

        const whole = await feed.feedPage(null, 0, 50, now);
        assert.deepEqual(
          whole.entries,
          expected.map(({ episodeId, seriesId }) => ({ episodeId, seriesId })),
        );
        assert.equal(whole.more, false);

        const pages = await collect(null, 4);
        assert.deepEqual(
          pages.map((p) => [p.entries.length, p.more]),
          [
            [4, true],
            [2, false],
          ],
        );
        assert.deepEqual(
          pages.flatMap((p) => p.entries),
          whole.entries,
        );
        const exact = await feed.feedPage(null, 0, 6, now);
        assert.equal(exact.more, false);
        assert.deepEqual(await feed.feedPage(null, 6, 5, now), { entries: [], more: false });
        assert.deepEqual(await feed.feedPage(null, 100, 5, now), { entries: [], more: false });
        assert.deepEqual(await feed.feedPage(null, 0, 0, now), { entries: [], more: true });
      });

      test('a viewer continues where they were: unfinished, next, or back to the first', async () => {
        const viewer = await feedSeed.user();
        const stranger = await feedSeed.user();
        /** A series of four playable episodes, the newer the hotter so the feed order is fixed. */
        const make = async (age: number) => {
          const seriesId = await feedSeed.series({ publishedAt: hoursAgo(age) });
          const ids: number[] = [];
          for (let number = 1; number <= 4; number++)
            ids.push(await feedSeed.episode(seriesId, number, true));
          return { seriesId, ids };
        };
        const unfinished = await make(1);
        const finished = await make(2);
        const lastFinished = await make(3);
        const recentWins = await make(4);
        const untouched = await make(5);
        const exactly95 = await make(6);

        let tick = 0;
        const watch = async (userId: number, episodeId: number, posMs: number) => {
          tick += 1;
          await feed.writeProgress({
            userId,
            episodeId,
            posMs,
            durMs: 100_000,
            hlc: stamp(1_000 + tick, 0, 'dev'),
          });
          // A strictly increasing update time, so "most recently updated" is not left to a clock.
          await feedHandle.db
            .update(watchProgress)
            .set({ updatedAt: new Date(now.getTime() - HOUR + tick * 1_000) })
            .where(and(eq(watchProgress.userId, userId), eq(watchProgress.episodeId, episodeId)));
        };
        await watch(viewer, unfinished.ids[1]!, 94_999);
        await watch(viewer, finished.ids[1]!, 99_000);
        await watch(viewer, lastFinished.ids[3]!, 100_000);
        // Episode 3 was finished earlier; episode 2, touched later, is unfinished: 2 decides.
        await watch(viewer, recentWins.ids[2]!, 100_000);
        await watch(viewer, recentWins.ids[1]!, 10_000);
        await watch(viewer, exactly95.ids[0]!, 95_000);
        await watch(stranger, untouched.ids[2]!, 1_000);

        const forViewer = await feed.feedPage(viewer, 0, 10, now);
        assert.deepEqual(forViewer.entries, [
          { seriesId: unfinished.seriesId, episodeId: unfinished.ids[1] },
          { seriesId: finished.seriesId, episodeId: finished.ids[2] },
          { seriesId: lastFinished.seriesId, episodeId: lastFinished.ids[0] },
          { seriesId: recentWins.seriesId, episodeId: recentWins.ids[1] },
          { seriesId: untouched.seriesId, episodeId: untouched.ids[0] },
          { seriesId: exactly95.seriesId, episodeId: exactly95.ids[1] },
        ]);

        const anonymous = await feed.feedPage(null, 0, 10, now);
        assert.deepEqual(
          anonymous.entries.map((e) => e.episodeId),
          [unfinished, finished, lastFinished, recentWins, untouched, exactly95].map(
            (s) => s.ids[0],
          ),
        );

        // The next episode is not playable any more: the one after it is offered instead.
        await feedHandle.db
          .update(episodes)
          .set({ status: 'processing' })
          .where(eq(episodes.id, finished.ids[2]!));
        const [, skip] = (await feed.feedPage(viewer, 0, 2, now)).entries;
        assert.deepEqual(skip, { seriesId: finished.seriesId, episodeId: finished.ids[3] });
      });
    });
  });
}

storeContract('pglite');
storeContract('postgres');
