import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/database.ts';
import { reviews, seriesCounters, userBlocks } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { seededRandom } from '../protocol/crdt/seeded-random.ts';
import { DiscussionError, type DiscussionErrorCode } from './discussion-error.ts';
import { createSqlReviewStore } from './review-store-sql.ts';
import { averageOf, type ReviewCursor, type ReviewStore } from './review-store.ts';

async function rejectsWith(promise: Promise<unknown>, code: DiscussionErrorCode) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DiscussionError, String(error));
    assert.equal(error.code, code);
    return true;
  });
}

test('averageOf: one decimal, half up, null when empty', () => {
  assert.equal(averageOf([0, 0, 0, 0, 0]), null);
  assert.equal(averageOf([0, 0, 0, 3, 1]), 4.3, '4.25 rounds up');
  assert.equal(averageOf([1, 0, 0, 0, 2]), 3.7, '11/3');
  assert.equal(averageOf([0, 0, 0, 0, 7]), 5);
  assert.equal(averageOf([1, 1, 0, 0, 0]), 1.5);
});

function storeContract(kind: 'pglite' | 'postgres') {
  describe(`SQL review store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: ReviewStore;
    let seed: TestSeeder;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlReviewStore(handle.db);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    async function counters(seriesId: number) {
      const [row] = await handle.db
        .select({ reviews: seriesCounters.reviews, ratingSum: seriesCounters.ratingSum })
        .from(seriesCounters)
        .where(eq(seriesCounters.seriesId, seriesId));
      return { reviews: Number(row?.reviews ?? 0), ratingSum: Number(row?.ratingSum ?? 0) };
    }

    test('write, rewrite, delete and write again: the counts follow by difference', async () => {
      const seriesId = await seed.series();
      const user = await seed.user('Critic');
      const first = await store.put({ seriesId, userId: user, rating: 4, body: 'good' });
      assert.equal(first.created, true);
      assert.equal(first.review.rating, 4);
      assert.equal(first.review.body, 'good');
      assert.deepEqual(first.review.author, {
        id: user,
        displayName: 'Critic',
        avatarUrl: null,
        level: 0,
      });
      assert.deepEqual(await counters(seriesId), { reviews: 1, ratingSum: 4 });

      const second = await store.put({ seriesId, userId: user, rating: 2, body: '' });
      assert.equal(second.created, false);
      assert.equal(second.review.id, first.review.id, 'one review per user and series');
      assert.equal(second.review.body, '');
      assert.deepEqual(await counters(seriesId), { reviews: 1, ratingSum: 2 });

      assert.equal(await store.removeOwn(seriesId, user), true);
      assert.equal(await store.removeOwn(seriesId, user), false, 'deleting twice changes nothing');
      assert.equal(await store.own(seriesId, user), null);
      assert.deepEqual(await counters(seriesId), { reviews: 0, ratingSum: 0 });

      const again = await store.put({ seriesId, userId: user, rating: 5, body: 'changed my mind' });
      assert.equal(again.created, true);
      assert.equal(again.review.status, 'visible');
      assert.deepEqual(await counters(seriesId), { reviews: 1, ratingSum: 5 });
      assert.equal((await store.own(seriesId, user))?.body, 'changed my mind');
    });

    test('delete by id: the author or an admin; others are refused', async () => {
      const seriesId = await seed.series();
      const [author, stranger, admin] = [await seed.user(), await seed.user(), await seed.user()];
      const { review } = await store.put({ seriesId, userId: author, rating: 3, body: 'meh' });
      await rejectsWith(store.remove(review.id, { userId: stranger, admin: false }), 'FORBIDDEN');
      await rejectsWith(
        store.remove(Number.MAX_SAFE_INTEGER, { userId: admin, admin: true }),
        'REVIEW_NOT_FOUND',
      );
      await rejectsWith(store.removeOwn(seriesId, stranger), 'REVIEW_NOT_FOUND');
      assert.equal(await store.remove(review.id, { userId: admin, admin: true }), true);
      assert.equal(await store.remove(review.id, { userId: author, admin: false }), false);
      assert.deepEqual(await counters(seriesId), { reviews: 0, ratingSum: 0 });
    });

    test('a hidden review stays hidden when rewritten and leaves the summary', async () => {
      const seriesId = await seed.series();
      const [a, b] = [await seed.user(), await seed.user()];
      await store.put({ seriesId, userId: a, rating: 5, body: 'great' });
      const { review } = await store.put({ seriesId, userId: b, rating: 1, body: 'spam spam' });
      await handle.db.update(reviews).set({ status: 'hidden' }).where(eq(reviews.id, review.id));
      const rewritten = await store.put({ seriesId, userId: b, rating: 2, body: 'still spam' });
      assert.equal(rewritten.review.status, 'hidden');
      assert.equal((await store.own(seriesId, b))?.status, 'hidden', 'its author sees why');
      assert.deepEqual(await store.summary(seriesId), {
        average: 5,
        count: 1,
        histogram: [0, 0, 0, 0, 1],
      });
      const page = await store.list(seriesId, {
        viewerId: null,
        order: 'new',
        after: null,
        limit: 10,
      });
      assert.deepEqual(
        page.items.map((r) => r.author.id),
        [a],
      );
      // Hidden reviews still count until deleted (moderation may unhide them).
      assert.deepEqual(await counters(seriesId), { reviews: 2, ratingSum: 7 });
      await store.removeOwn(seriesId, b);
      assert.deepEqual(await counters(seriesId), { reviews: 1, ratingSum: 5 });
    });

    test('concurrent writes by many users keep the counts exact and match the summary', async () => {
      const seriesId = await seed.series();
      const users = await Promise.all(Array.from({ length: 16 }, () => seed.user()));
      const random = seededRandom(3);
      const writes = users.flatMap((userId) =>
        Array.from({ length: 3 }, (_, i) => ({ userId, rating: random.int(1, 5), i })),
      );
      // Each user's writes are sequential (one device), users interleave at random.
      await Promise.all(
        users.map(async (userId) => {
          for (const w of writes.filter((x) => x.userId === userId))
            await store.put({ seriesId, userId, rating: w.rating, body: `take ${w.i}` });
        }),
      );
      const finals = users.map((userId) => writes.filter((w) => w.userId === userId).at(-1)!);
      const histogram = [0, 0, 0, 0, 0];
      for (const w of finals) histogram[w.rating - 1]! += 1;
      const sum = finals.reduce((s, w) => s + w.rating, 0);
      assert.deepEqual(await counters(seriesId), { reviews: 16, ratingSum: sum });
      assert.deepEqual(await store.summary(seriesId), {
        average: averageOf(histogram),
        count: 16,
        histogram,
      });
      // The same user from two devices at once: one review, counts still exact.
      const twice = await seed.user();
      await Promise.all([
        store.put({ seriesId, userId: twice, rating: 1, body: 'phone' }),
        store.put({ seriesId, userId: twice, rating: 1, body: 'tablet' }),
      ]);
      assert.deepEqual(await counters(seriesId), { reviews: 17, ratingSum: sum + 1 });
    });

    test('lists: new and top orders walk every visible review once; blocked authors left out', async () => {
      const seriesId = await seed.series();
      const viewer = await seed.user();
      const authors = await Promise.all(Array.from({ length: 11 }, () => seed.user()));
      await handle.db.insert(userBlocks).values({ blockerId: viewer, blockedId: authors[3]! });
      const ratings = [3, 5, 1, 4, 5, 2, 3, 5, 4, 1, 3];
      const ids: number[] = [];
      for (const [i, userId] of authors.entries())
        ids.push(
          (await store.put({ seriesId, userId, rating: ratings[i]!, body: `r${i}` })).review.id,
        );
      const walk = async (order: 'new' | 'top', viewerId: number | null) => {
        const seen: number[] = [];
        let after: ReviewCursor | null = null;
        do {
          const page = await store.list(seriesId, { viewerId, order, after, limit: 3 });
          seen.push(...page.items.map((r) => r.id));
          after = page.next;
        } while (after !== null);
        return seen;
      };
      assert.deepEqual(await walk('new', null), [...ids].reverse());
      const top = ids
        .map((id, i) => ({ id, rating: ratings[i]! }))
        .sort((a, b) => b.rating - a.rating || b.id - a.id)
        .map((r) => r.id);
      assert.deepEqual(await walk('top', null), top);
      assert.deepEqual(
        await walk('top', viewer),
        top.filter((id) => id !== ids[3]),
      );
    });

    test('an unknown or unpublished series is SERIES_NOT_FOUND; bad arguments are RangeErrors', async () => {
      const draft = await seed.series({ status: 'draft' });
      const user = await seed.user();
      await rejectsWith(
        store.put({ seriesId: draft, userId: user, rating: 3, body: '' }),
        'SERIES_NOT_FOUND',
      );
      await rejectsWith(store.summary(draft), 'SERIES_NOT_FOUND');
      await rejectsWith(
        store.list(2_147_483_647, { viewerId: null, order: 'new', after: null, limit: 5 }),
        'SERIES_NOT_FOUND',
      );
      const seriesId = await seed.series();
      for (const rating of [0, 6, 2.5, Number.NaN])
        await assert.rejects(store.put({ seriesId, userId: user, rating, body: '' }), RangeError);
      await assert.rejects(
        store.put({ seriesId, userId: user, rating: 3, body: 'x'.repeat(8001) }),
        RangeError,
      );
      await assert.rejects(
        store.list(seriesId, {
          viewerId: null,
          order: 'top',
          after: { order: 'top', rating: 9, id: 1 },
          limit: 5,
        }),
        RangeError,
      );
      assert.deepEqual(await store.summary(seriesId), {
        average: null,
        count: 0,
        histogram: [0, 0, 0, 0, 0],
      });
    });
  });
}

storeContract('pglite');
storeContract('postgres');
