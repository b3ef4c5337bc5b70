import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { reviews, seriesCounters, users } from '@binge/core/db/schema';
import type { TextFilter } from '@binge/core/moderation/text-filter';
import type { RatingSummary, Review, ReviewPage } from '@binge/core/protocol/discussion';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertSeries } from '../testing/catalog-fixtures.ts';
import {
  accessTokenFor,
  clientFor,
  signInAsGuest,
  type SessionClient,
} from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { discussionClient, type DiscussionClient } from './discussion-client.ts';

const MISSING = 2147483647;

/** Masks `badword`, refuses anything with `forbidden`. */
const textFilter: TextFilter = (text) =>
  text.includes('forbidden')
    ? { ok: false, reason: 'listed word' }
    : { ok: true, text: text.replaceAll('badword', '*******') };

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`review routes on ${kind}`, () => {
    let t: TestApp;
    let categoryId: number;
    let draftSeriesId: number;
    let n = 0;

    before(async () => {
      t = await openTestApp(
        kind,
        { textFilter },
        { guestLimit: { max: 1_000, timeWindowMs: 3_600_000 } },
      );
      categoryId = await insertCategory(t.db.db, { slug: 'drama' });
      draftSeriesId = await insertSeries(t.db.db, { slug: 'draft', categoryId, status: 'draft' });
    });
    after(() => t.close());

    async function newSeries(): Promise<number> {
      n += 1;
      return insertSeries(t.db.db, { slug: `series-${n}`, categoryId });
    }

    async function user(): Promise<{ session: SessionClient; app: DiscussionClient }> {
      const session = await signInAsGuest(t.app);
      return { session, app: discussionClient(t.app, session) };
    }

    async function counters(seriesId: number) {
      const [row] = await t.db.db
        .select({ reviews: seriesCounters.reviews, ratingSum: seriesCounters.ratingSum })
        .from(seriesCounters)
        .where(eq(seriesCounters.seriesId, seriesId));
      return { reviews: Number(row?.reviews ?? 0), ratingSum: Number(row?.ratingSum ?? 0) };
    }

    test('write, rewrite, read back and delete the caller’s review', async () => {
      const seriesId = await newSeries();
      const { session, app } = await user();
      const created = await app.review(seriesId, { rating: 4, body: '  <i>Loved</i> it  ' });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.headers['cache-control'], 'private, no-store');
      const review: Review = created.json();
      assert.equal(review.seriesId, seriesId);
      assert.equal(review.rating, 4);
      assert.equal(review.body, '<i>Loved</i> it', 'trimmed, markup kept as text');
      assert.equal(review.author.id, session.user.id);
      assert.equal(review.status, 'visible');

      const replaced = await app.review(seriesId, { rating: 2 });
      assert.equal(replaced.statusCode, 200, replaced.body);
      assert.equal(replaced.json().id, review.id);
      assert.equal(replaced.json().body, '', 'a rating alone clears the text');
      assert.deepEqual(await counters(seriesId), { reviews: 1, ratingSum: 2 });
      assert.equal((await app.myReview(seriesId)).json().rating, 2);

      assert.equal((await app.deleteMyReview(seriesId)).statusCode, 204);
      assert.equal((await app.deleteMyReview(seriesId)).statusCode, 204, 'idempotent');
      assertProblem(await app.myReview(seriesId), 404, 'REVIEW_NOT_FOUND');
      assert.deepEqual(await counters(seriesId), { reviews: 0, ratingSum: 0 });
      assertProblem(await (await user()).app.deleteMyReview(seriesId), 404, 'REVIEW_NOT_FOUND');
    });

    test('the summary: average to one decimal, count and histogram of the visible reviews', async () => {
      const seriesId = await newSeries();
      const anonymous = discussionClient(t.app, null);
      assert.deepEqual((await anonymous.rating(seriesId)).json(), {
        seriesId,
        average: null,
        count: 0,
        histogram: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
      });
      const writers = await Promise.all(
        [5, 5, 4, 1].map(async (rating) => ({ rating, ...(await user()) })),
      );
      await Promise.all(writers.map((w) => w.app.review(seriesId, { rating: w.rating })));
      const summary: RatingSummary = (await anonymous.rating(seriesId)).json();
      assert.deepEqual(summary, {
        seriesId,
        average: 3.8,
        count: 4,
        histogram: { '1': 1, '2': 0, '3': 0, '4': 1, '5': 2 },
      });
      // A moderator hides the 1-star review: it leaves the summary and the list.
      const hidden = (await writers[3]!.app.myReview(seriesId)).json() as Review;
      await t.db.db
        .update(reviews)
        .set({ status: 'hidden' })
        .where(eq(reviews.id, Number(hidden.id)));
      assert.equal((await anonymous.rating(seriesId)).json().average, 4.7);
      assert.equal((await writers[3]!.app.myReview(seriesId)).json().status, 'hidden');
      assertProblem(await anonymous.rating(draftSeriesId), 404, 'SERIES_NOT_FOUND');
      assertProblem(await anonymous.rating(MISSING), 404, 'SERIES_NOT_FOUND');
    });

    test('lists: new and top with cursors; blocked authors left out', async () => {
      const seriesId = await newSeries();
      const viewer = await user();
      const writers = await Promise.all(Array.from({ length: 5 }, () => user()));
      const ratings = [3, 5, 1, 5, 4];
      const ids: string[] = [];
      for (const [i, w] of writers.entries())
        ids.push((await w.app.review(seriesId, { rating: ratings[i], body: `r${i}` })).json().id);
      const walk = async (query: string) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const suffix: string = cursor === null ? '' : `&cursor=${cursor}`;
          const page: ReviewPage = (await viewer.app.reviews(seriesId, `${query}${suffix}`)).json();
          seen.push(...page.items.map((r) => r.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        return seen;
      };
      assert.deepEqual(await walk('limit=2'), [...ids].reverse(), 'new by default');
      assert.deepEqual(await walk('order=top&limit=2'), [ids[3], ids[1], ids[4], ids[0], ids[2]]);
      await viewer.session.block(writers[1]!.session.user.id);
      assert.deepEqual(await walk('order=top&limit=2'), [ids[3], ids[4], ids[0], ids[2]]);
      const first = (await viewer.app.reviews(seriesId, 'order=top&limit=1')).json();
      assertProblem(
        await viewer.app.reviews(seriesId, `order=new&cursor=${first.nextCursor}`),
        400,
        'INVALID_CURSOR',
      );
      assertProblem(await viewer.app.reviews(seriesId, 'order=best'), 400, 'VALIDATION_FAILED');
      assertProblem(await viewer.app.reviews(seriesId, 'limit=0'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await viewer.app.reviews(draftSeriesId), 404, 'SERIES_NOT_FOUND');
    });

    test('delete by id: someone else’s is 403, an admin may, twice is 204', async () => {
      const seriesId = await newSeries();
      const [author, stranger, admin] = [await user(), await user(), await user()];
      await t.db.db.update(users).set({ role: 'admin' }).where(eq(users.id, admin.session.user.id));
      const review: Review = (await author.app.review(seriesId, { rating: 5 })).json();
      assertProblem(await stranger.app.deleteReview(review.id), 403, 'FORBIDDEN');
      assertProblem(await stranger.app.deleteReview('9007199254740991'), 404, 'REVIEW_NOT_FOUND');
      assert.equal((await admin.app.deleteReview(review.id)).statusCode, 204);
      assert.equal((await author.app.deleteReview(review.id)).statusCode, 204);
      assert.deepEqual(await counters(seriesId), { reviews: 0, ratingSum: 0 });
      const again = await author.app.review(seriesId, { rating: 3 });
      assert.equal(again.statusCode, 201, 'a deleted review can be written anew');
    });

    test('bad input and sign-in: every refusal has its code, and nothing is stored', async () => {
      const seriesId = await newSeries();
      const { session, app } = await user();
      for (const payload of [
        {},
        { rating: 0 },
        { rating: 6 },
        { rating: 4.5 },
        { rating: '5' },
        { rating: true },
        { rating: null },
        { rating: 5, body: 7 },
        { rating: 5, body: 'x'.repeat(2001) },
        { rating: 5, body: 'bell\u0007' },
        { rating: 5, body: 'ok', extra: 1 },
        [5],
        'five stars',
      ])
        assertProblem(await app.review(seriesId, payload), 400, 'VALIDATION_FAILED');
      assertProblem(
        await app.review(seriesId, { rating: 1, body: 'forbidden words' }),
        422,
        'TEXT_BLOCKED',
      );
      const masked = await app.review(seriesId, { rating: 1, body: 'badword!' });
      assert.equal(masked.json().body, '*******!');
      assert.equal(
        (await app.review(seriesId, { rating: 5, body: '字'.repeat(2000) })).statusCode,
        200,
      );
      for (const id of ['0', 'abc', '1e3', '99999999999'])
        assertProblem(await app.review(id, { rating: 5 }), 400, 'INVALID_ID');
      assertProblem(await app.deleteReview('1.5'), 400, 'INVALID_ID');
      assertProblem(await app.review(draftSeriesId, { rating: 5 }), 404, 'SERIES_NOT_FOUND');
      assertProblem(await app.review(MISSING, { rating: 5 }), 404, 'SERIES_NOT_FOUND');

      const anonymous = discussionClient(t.app, null);
      assertProblem(await anonymous.review(seriesId, { rating: 5 }), 401, 'AUTH_REQUIRED');
      assertProblem(await anonymous.review('abc', 'junk'), 401, 'AUTH_REQUIRED');
      assertProblem(await anonymous.deleteMyReview(seriesId), 401, 'AUTH_REQUIRED');
      assertProblem(await anonymous.deleteReview('1'), 401, 'AUTH_REQUIRED');
      assertProblem(await anonymous.myReview(seriesId), 401, 'AUTH_REQUIRED');
      const forged = discussionClient(t.app, { headers: { authorization: 'Bearer x.y.z' } });
      assertProblem(await forged.review(seriesId, { rating: 5 }), 401, 'SESSION_INVALID');
      assertProblem(await forged.reviews(seriesId), 401, 'SESSION_INVALID');
      const expiredToken = await accessTokenFor(t.config, session, {
        nowMs: Date.now() - 3_600_000,
      });
      const expired = discussionClient(t.app, clientFor(t.app, session.user, expiredToken));
      assertProblem(await expired.review(seriesId, { rating: 1 }), 401, 'SESSION_EXPIRED');
      assertProblem(await expired.deleteMyReview(seriesId), 401, 'SESSION_EXPIRED');
      assert.deepEqual(await counters(seriesId), { reviews: 1, ratingSum: 5 });
    });

    test('OpenAPI documents the routes', async () => {
      const doc = (await t.app.inject('/docs/json')).json();
      const own = doc.paths['/api/v1/series/{id}/review'];
      assert.ok(own.put && own.get && own.delete);
      assert.deepEqual(own.put.security, [{ session: [] }]);
      for (const path of ['/api/v1/series/{id}/reviews', '/api/v1/series/{id}/rating'])
        assert.ok(doc.paths[path]?.get, `${path} missing`);
      assert.ok(doc.paths['/api/v1/reviews/{id}'].delete);
      assert.ok(JSON.stringify(own.put).includes('TEXT_BLOCKED'));
    });
  });
}
