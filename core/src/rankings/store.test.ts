import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { openDatabase, type DatabaseHandle } from '../db/database.ts';
import { categories, series, seriesCounters } from '../db/schema.ts';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { seededRandom } from '../protocol/crdt/seeded-random.ts';
import { bumpSeriesActivity, hourOf, type ActivityField } from './activity.ts';
import { bayesianRating, hotScore, RATING_DEFAULT_MEAN, type HourlyActivity } from './scores.ts';
import { createSqlRankingStore, REFRESH_LOCK_KEY } from './store-sql.ts';
import { ALL_CATEGORIES, BOARD_DEPTH, type RankingStore } from './store.ts';

const HOUR = 3_600_000;
const sqlLock = sql`select pg_advisory_xact_lock(${REFRESH_LOCK_KEY}::bigint)`;
const fields: ActivityField[] = ['views', 'likes', 'favourites', 'followUps', 'shares', 'comments'];

function storeContract(kind: 'pglite' | 'postgres') {
  describe(`SQL ranking store on ${kind}`, () => {
    let handle: TestDatabase;
    let store: RankingStore;
    let seed: TestSeeder;
    let categoryN = 0;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlRankingStore(handle.db);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    /** A category of this test's own, so that its boards hold only this test's series. */
    async function category(): Promise<number> {
      const [row] = await handle.db
        .insert(categories)
        .values({ slug: `rank-${kind}-${++categoryN}`, nameEn: 'Rank', nameZh: '榜' })
        .returning({ id: categories.id });
      return row!.id;
    }

    async function seriesIn(
      categoryId: number,
      values: { publishedAt?: Date; status?: 'draft' | 'published' } = {},
    ): Promise<number> {
      const id = await seed.series(values);
      await handle.db.update(series).set({ categoryId }).where(eq(series.id, id));
      return id;
    }

    async function activity(
      seriesId: number,
      at: Date,
      counts: Partial<Record<ActivityField, number>>,
    ) {
      for (const field of fields)
        if (counts[field] !== undefined)
          await bumpSeriesActivity(handle.db, seriesId, field, counts[field], at);
    }

    const idsOf = async (board: 'hot' | 'new' | 'rating', categoryId: number) =>
      (await store.read(board, categoryId, BOARD_DEPTH)).entries.map((e) => e.seriesId);

    test('hot: an older burst ranks below a fresh smaller one, scored as scores.ts says', async () => {
      const categoryId = await category();
      const now = new Date('2026-03-01T12:40:00.000Z');
      const burst = await seriesIn(categoryId);
      const fresh = await seriesIn(categoryId);
      const quiet = await seriesIn(categoryId);
      await activity(burst, new Date(now.getTime() - 72 * HOUR), { likes: 40 });
      await activity(fresh, new Date(now.getTime() - HOUR), { likes: 6 });
      const outcome = await store.refresh({ now });
      assert.equal(outcome.refreshed, true);
      const board = await store.read('hot', categoryId, 10);
      assert.deepEqual(
        board.entries.map((e) => e.seriesId),
        [fresh, burst, quiet],
      );
      assert.deepEqual(
        board.entries.map((e) => e.rank),
        [1, 2, 3],
      );
      assert.equal(board.computedAt?.getTime(), now.getTime());
      const expectedBurst = hotScore(
        [{ hour: hourOf(new Date(now.getTime() - 72 * HOUR)), likes: 40 }],
        now,
      );
      assert.ok(Math.abs(board.entries[1]!.score - expectedBurst) < 1e-9 * expectedBurst);
      assert.equal(board.entries[2]!.score, 0, 'untouched series trail with 0');
    });

    test('hot: the SQL refresh equals the pure hotScore over random buckets', async () => {
      const categoryId = await category();
      const random = seededRandom(11);
      const now = new Date('2026-03-02T08:17:31.250Z');
      const expected = new Map<number, number>();
      for (let s = 0; s < 6; s += 1) {
        const id = await seriesIn(categoryId);
        const buckets = new Map<number, HourlyActivity>();
        for (let i = 0; i < 25; i += 1) {
          // Mostly the last 3 days; every fifth from 9 days ago to 2 days ahead, so some fall
          // outside the window and some after now.
          const days = i % 5 === 0 ? random.next() * 11 - 9 : -random.next() * 3;
          const at = new Date(now.getTime() + days * 24 * HOUR);
          const field = random.pick(fields);
          const delta = random.int(-2, 6) || 1;
          await bumpSeriesActivity(handle.db, id, field, delta, at);
          const hour = hourOf(at);
          const bucket = buckets.get(hour.getTime()) ?? { hour };
          bucket[field] = (bucket[field] ?? 0) + delta;
          buckets.set(hour.getTime(), bucket);
        }
        expected.set(id, hotScore([...buckets.values()], now));
      }
      await store.refresh({ now });
      const board = await store.read('hot', categoryId, BOARD_DEPTH);
      assert.equal(board.entries.length, 6);
      for (const entry of board.entries) {
        const want = expected.get(entry.seriesId)!;
        assert.ok(
          Math.abs(entry.score - want) <= 1e-9 * Math.max(1, want),
          `series ${entry.seriesId}: SQL ${entry.score} vs ${want}`,
        );
      }
      const scores = board.entries.map((e) => e.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
      );
    });

    test('boards per category hold only their series; the overall board holds all of them', async () => {
      const now = new Date('2026-03-03T10:00:00.000Z');
      const drama = await category();
      const comedy = await category();
      const a = await seriesIn(drama);
      const b = await seriesIn(drama);
      const c = await seriesIn(comedy);
      const draft = await seriesIn(comedy, { status: 'draft' });
      await activity(a, now, { views: 10 });
      await activity(b, now, { shares: 5 });
      await activity(c, now, { comments: 4 });
      await activity(draft, now, { shares: 1000 });
      await store.refresh({ now });
      assert.deepEqual(await idsOf('hot', drama), [b, a]);
      assert.deepEqual(await idsOf('hot', comedy), [c]);
      const overall = await idsOf('hot', ALL_CATEGORIES);
      assert.deepEqual(
        overall.filter((id) => [a, b, c, draft].includes(id)),
        [b, c, a],
        'overall: shares 30 > comments 16 > views 10; the draft is on no board',
      );
      const comedyNew = await store.read('new', comedy, 10);
      assert.deepEqual(
        comedyNew.entries.map((e) => e.seriesId),
        [c],
      );
      assert.deepEqual(await idsOf('hot', 2_000_000_000), [], 'a category without series');
    });

    test('new: newest publication first, scored by its unix time', async () => {
      const categoryId = await category();
      const old = await seriesIn(categoryId, { publishedAt: new Date('2025-01-01T00:00:00Z') });
      const recent = await seriesIn(categoryId, { publishedAt: new Date('2026-02-01T00:00:00Z') });
      await store.refresh();
      const board = await store.read('new', categoryId, 10);
      assert.deepEqual(
        board.entries.map((e) => e.seriesId),
        [recent, old],
      );
      assert.equal(board.entries[0]!.score, Date.parse('2026-02-01T00:00:00Z') / 1000);
    });

    test('rating: Bayesian average with the catalog mean as prior; unreviewed series left out', async () => {
      const categoryId = await category();
      const one = await seriesIn(categoryId);
      const many = await seriesIn(categoryId);
      const low = await seriesIn(categoryId);
      const none = await seriesIn(categoryId);
      await handle.db.insert(seriesCounters).values([
        { seriesId: one, reviews: 1, ratingSum: 5 },
        { seriesId: many, reviews: 40, ratingSum: 190 },
        { seriesId: low, reviews: 100, ratingSum: 200 },
        { seriesId: none, reviews: 0, ratingSum: 0 },
      ]);
      await store.refresh();
      const board = await store.read('rating', categoryId, 10);
      // A single 5 is pulled down to the catalog's mean (about 2.8), forty 4.75s barely move.
      assert.deepEqual(
        board.entries.map((e) => e.seriesId),
        [many, one, low],
      );
      // The prior's mean is over every published series with reviews in this database.
      const reviewed = await handle.db
        .select({ reviews: seriesCounters.reviews, sum: seriesCounters.ratingSum })
        .from(seriesCounters)
        .innerJoin(series, eq(series.id, seriesCounters.seriesId))
        .where(eq(series.status, 'published'));
      const totals = reviewed.reduce(
        (t, r) => ({ reviews: t.reviews + r.reviews, sum: t.sum + r.sum }),
        { reviews: 0, sum: 0 },
      );
      const mean = totals.reviews > 0 ? totals.sum / totals.reviews : RATING_DEFAULT_MEAN;
      assert.ok(Math.abs(board.entries[0]!.score - bayesianRating(40, 190, mean)) < 1e-9);
      assert.ok(Math.abs(board.entries[1]!.score - bayesianRating(1, 5, mean)) < 1e-9);
    });

    test('freshness: activity shows up at the next refresh, not before', async () => {
      const categoryId = await category();
      const first = await seriesIn(categoryId, { publishedAt: new Date('2026-01-02T00:00:00Z') });
      const second = await seriesIn(categoryId, { publishedAt: new Date('2026-01-01T00:00:00Z') });
      const t0 = new Date('2026-03-04T09:00:00.000Z');
      await store.refresh({ now: t0 });
      assert.deepEqual(
        await idsOf('hot', categoryId),
        [first, second],
        'no activity: newest first',
      );
      await activity(second, t0, { followUps: 3 });
      assert.deepEqual(await idsOf('hot', categoryId), [first, second], 'stored until refreshed');
      const t1 = new Date(t0.getTime() + 30_000);
      const outcome = await store.refresh({ now: t1, ifOlderThanMs: 24_000 });
      assert.equal(outcome.refreshed, true);
      assert.deepEqual(await idsOf('hot', categoryId), [second, first]);
      assert.equal((await store.read('hot', categoryId, 1)).computedAt?.getTime(), t1.getTime());
    });

    test('ifOlderThanMs skips a refresh the stored boards are recent enough for', async () => {
      const t0 = new Date('2026-03-05T09:00:00.000Z');
      assert.equal((await store.refresh({ now: t0 })).refreshed, true);
      assert.deepEqual(
        await store.refresh({ now: new Date(t0.getTime() + 10_000), ifOlderThanMs: 24_000 }),
        {
          refreshed: false,
          reason: 'fresh',
          computedAt: t0,
        },
      );
      const later = await store.refresh({
        now: new Date(t0.getTime() + 25_000),
        ifOlderThanMs: 24_000,
      });
      assert.equal(later.refreshed, true);
    });

    test('a reader never sees half a board while refreshes replace it', async () => {
      const categoryId = await category();
      const ids: number[] = [];
      for (let i = 0; i < 12; i += 1) ids.push(await seriesIn(categoryId));
      const t0 = new Date('2026-03-06T09:00:00.000Z');
      await store.refresh({ now: t0 });
      let refreshing = true;
      const seen = new Set<number>();
      const reader = (async () => {
        let reads = 0;
        while (refreshing || reads < 5) {
          const board = await store.read('hot', categoryId, BOARD_DEPTH);
          assert.equal(board.entries.length, 12, 'a whole board, never part of one');
          assert.deepEqual(
            board.entries.map((e) => e.rank),
            Array.from({ length: 12 }, (_, i) => i + 1),
          );
          assert.deepEqual(new Set(board.entries.map((e) => e.seriesId)), new Set(ids));
          seen.add(board.computedAt!.getTime());
          reads += 1;
        }
      })();
      for (let round = 1; round <= 15; round += 1) {
        // Each round reorders the board, so a mix of two refreshes would show up as duplicates.
        await activity(ids[round % ids.length]!, t0, { likes: round * 10 });
        await store.refresh({ now: new Date(t0.getTime() + round * 1000) });
      }
      refreshing = false;
      await reader;
      assert.ok(seen.size >= 1);
    });

    test('read refuses an unknown board, a bad category id and a limit beyond the depth', async () => {
      await assert.rejects(store.read('top' as 'hot', 0, 10), RangeError);
      await assert.rejects(store.read('hot', -1, 10), RangeError);
      await assert.rejects(store.read('hot', 0, 0), RangeError);
      await assert.rejects(store.read('hot', 0, BOARD_DEPTH + 1), RangeError);
      await assert.rejects(store.refresh({ now: new Date('nope') }), RangeError);
    });
  });
}

storeContract('pglite');
storeContract('postgres');

describe('two refreshers on one PostgreSQL', () => {
  let first: TestDatabase;
  let second: DatabaseHandle;

  before(async () => {
    first = await openTestDatabase('postgres');
    // Another process: its own pool on the same database.
    second = await openDatabase({ databaseUrl: first.url, pgliteDir: 'memory://', migrate: false });
    const seed = createTestSeeder(first.db);
    for (let i = 0; i < 30; i += 1) {
      const id = await seed.series();
      await bumpSeriesActivity(first.db, id, 'views', i + 1);
    }
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  test('one refresh per interval: the other is busy or finds the boards fresh', async () => {
    const a = createSqlRankingStore(first.db);
    const b = createSqlRankingStore(second.db);
    const t0 = new Date('2026-03-07T09:00:00.000Z');
    for (let round = 0; round < 8; round += 1) {
      const now = new Date(t0.getTime() + round * 30_000);
      const outcomes = await Promise.all([
        a.refresh({ now, ifOlderThanMs: 24_000 }),
        b.refresh({ now, ifOlderThanMs: 24_000 }),
      ]);
      const done = outcomes.filter((o) => o.refreshed);
      assert.equal(done.length, 1, JSON.stringify(outcomes));
      const skipped = outcomes.find((o) => !o.refreshed)!;
      assert.ok(!skipped.refreshed && ['busy', 'fresh'].includes(skipped.reason));
      const board = await b.read('hot', ALL_CATEGORIES, BOARD_DEPTH);
      assert.equal(board.entries.length, 30);
      assert.equal(board.computedAt?.getTime(), now.getTime());
    }
  });

  test('while one process holds the lock the other returns busy at once', async () => {
    const b = createSqlRankingStore(second.db);
    const held = first.db.transaction(async (tx) => {
      await tx.execute(sqlLock);
      const outcome = await b.refresh({ now: new Date('2026-03-08T00:00:00Z') });
      assert.deepEqual(outcome.refreshed, false);
      assert.equal(!outcome.refreshed && outcome.reason, 'busy');
    });
    await held;
    const after = await b.refresh({ now: new Date('2026-03-08T00:00:00Z') });
    assert.equal(after.refreshed, true);
  });
});
