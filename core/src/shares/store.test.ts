import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { count, eq, sum } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/database.ts';
import { episodeCounters, seriesActivityHourly, seriesCounters, shares } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import type { ShareChannel, ShareTargetType } from '../protocol/shares.ts';
import { createSqlShareStore } from './store-sql.ts';
import { ShareTargetNotFoundError, type ShareStore } from './store.ts';

const missingId = 2_147_483_647;

function storeContract(kind: 'pglite' | 'postgres') {
  describe(`SQL share store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: ShareStore;
    let seed: TestSeeder;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlShareStore(handle.db);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    async function seriesShares(seriesId: number) {
      const [counters] = await handle.db
        .select({ shares: seriesCounters.shares })
        .from(seriesCounters)
        .where(eq(seriesCounters.seriesId, seriesId));
      const [activity] = await handle.db
        .select({ shares: sum(seriesActivityHourly.shares).mapWith(Number) })
        .from(seriesActivityHourly)
        .where(eq(seriesActivityHourly.seriesId, seriesId));
      return { counter: Number(counters?.shares ?? 0), activity: activity?.shares ?? 0 };
    }

    test('a share of a series or an episode counts on the counters and the hot activity', async () => {
      const seriesId = await seed.series();
      const episodeId = await seed.episode(seriesId);
      const user = await seed.user();
      const first = await store.create({
        userId: user,
        targetType: 'series',
        targetId: seriesId,
        channel: 'wechat',
      });
      assert.match(first.code, /^[A-Za-z0-9]{10}$/);
      assert.deepEqual(
        { ...first, code: '', createdAt: null },
        {
          code: '',
          userId: user,
          targetType: 'series',
          targetId: seriesId,
          channel: 'wechat',
          opens: 0,
          createdAt: null,
        },
      );
      const second = await store.create({
        userId: null,
        targetType: 'episode',
        targetId: episodeId,
        channel: 'link',
      });
      assert.equal(second.userId, null);
      assert.notEqual(second.code, first.code);
      assert.deepEqual(await seriesShares(seriesId), { counter: 2, activity: 2 });
      const [episodeRow] = await handle.db
        .select({ shares: episodeCounters.shares })
        .from(episodeCounters)
        .where(eq(episodeCounters.episodeId, episodeId));
      assert.equal(Number(episodeRow!.shares), 1);
    });

    test('every create is its own row, even for the same user and target', async () => {
      const seriesId = await seed.series();
      const user = await seed.user();
      for (let i = 0; i < 3; i += 1)
        await store.create({
          userId: user,
          targetType: 'series',
          targetId: seriesId,
          channel: 'link',
        });
      const [row] = await handle.db
        .select({ n: count() })
        .from(shares)
        .where(eq(shares.userId, user));
      assert.equal(row!.n, 3);
    });

    test('unknown, draft and unreachable targets are refused and nothing is counted', async () => {
      const draft = await seed.series({ status: 'draft' });
      const draftEpisode = await seed.episode(draft);
      const cases: Array<[ShareTargetType, number]> = [
        ['series', missingId],
        ['episode', missingId],
        ['series', draft],
        ['episode', draftEpisode],
      ];
      for (const [targetType, targetId] of cases)
        await assert.rejects(
          store.create({ userId: null, targetType, targetId, channel: 'link' }),
          (error: unknown) => {
            assert.ok(error instanceof ShareTargetNotFoundError, String(error));
            assert.equal(error.targetType, targetType);
            return true;
          },
        );
      assert.deepEqual(await seriesShares(draft), { counter: 0, activity: 0 });
    });

    test('malformed input is a RangeError before any SQL', async () => {
      const seriesId = await seed.series();
      const base = { userId: null, targetType: 'series' as ShareTargetType, targetId: seriesId };
      const bad = [
        { ...base, channel: 'carrier-pigeon' as ShareChannel },
        { ...base, targetType: 'user' as ShareTargetType, channel: 'link' as const },
        { ...base, targetId: 0, channel: 'link' as const },
        { ...base, targetId: 1.5, channel: 'link' as const },
        { ...base, targetId: missingId + 1, channel: 'link' as const },
        { ...base, userId: -3, channel: 'link' as const },
      ];
      for (const input of bad) await assert.rejects(store.create(input), RangeError);
      assert.deepEqual(await seriesShares(seriesId), { counter: 0, activity: 0 });
    });

    test('a taken code is retried with a new one', async () => {
      const seriesId = await seed.series();
      const taken = await store.create({
        userId: null,
        targetType: 'series',
        targetId: seriesId,
        channel: 'link',
      });
      const codes = [taken.code, taken.code, 'Fresh00001'];
      const retrying = createSqlShareStore(handle.db, { newCode: () => codes.shift()! });
      const share = await retrying.create({
        userId: null,
        targetType: 'series',
        targetId: seriesId,
        channel: 'link',
      });
      assert.equal(share.code, 'Fresh00001');
      const stuck = createSqlShareStore(handle.db, { newCode: () => taken.code });
      await assert.rejects(
        stuck.create({ userId: null, targetType: 'series', targetId: seriesId, channel: 'link' }),
        /no free share code/,
      );
      assert.deepEqual(await seriesShares(seriesId), { counter: 2, activity: 2 });
    });

    test('find and recordOpen: unknown and malformed codes are null', async () => {
      const seriesId = await seed.series();
      const share = await store.create({
        userId: null,
        targetType: 'series',
        targetId: seriesId,
        channel: 'telegram',
      });
      assert.equal(await store.recordOpen(share.code), 1);
      assert.equal(await store.recordOpen(share.code), 2);
      assert.equal((await store.find(share.code))?.opens, 2);
      for (const code of ['ZZZZZZZZZZ', "x' or '1'='1", '', 'a'.repeat(5000)]) {
        assert.equal(await store.find(code), null);
        assert.equal(await store.recordOpen(code), null);
      }
    });
  });
}

storeContract('pglite');
storeContract('postgres');
