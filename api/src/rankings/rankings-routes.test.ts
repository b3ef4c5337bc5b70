import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Static } from '@fastify/type-provider-typebox';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '@binge/core/db/testing';
import { series, seriesCounters } from '@binge/core/db/schema';
import type { RankedSeries, RankingPage } from '@binge/core/protocol/rankings';
import { bumpSeriesActivity } from '@binge/core/rankings/activity';
import { createRankingRefresher, type RankingRefresher } from '@binge/core/rankings/refresher';
import { createSqlRankingStore } from '@binge/core/rankings/store-sql';
import { engagementClient } from '../engagement/engagement-client.ts';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import { signInAsGuest } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { rankingsClient, type RankingsClient } from './rankings-client.ts';
import type { RankedSeriesSchema, RankingPageSchema } from './rankings-schemas.ts';

/** Compiles only when A and B are the same type (both directions, optionality included). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T) {}
// `npm run typecheck` fails here if a schema drifts from core/src/protocol/rankings.ts.
assertType<Equal<Static<typeof RankedSeriesSchema>, RankedSeries>>();
assertType<Equal<Static<typeof RankingPageSchema>, RankingPage>>();

const HOUR = 3_600_000;

function routesContract(kind: 'pglite' | 'postgres') {
  describe(`ranking routes on ${kind}`, () => {
    let t: TestApp;
    let refresher: RankingRefresher;
    let rankings: RankingsClient;
    let drama: number;
    let comedy: number;
    let quiet: number;
    let liked: number;
    let shared: number;
    let funny: number;

    before(async () => {
      const db = await openTestDatabase(kind);
      refresher = createRankingRefresher({ store: createSqlRankingStore(db.db), intervalMs: 0 });
      t = await openTestApp(kind, { db, rankingRefresher: refresher });
      const origClose = t.close;
      t.close = async () => {
        await origClose();
        await db.close();
      };
      rankings = rankingsClient(t.app);
      drama = await insertCategory(t.db.db, { slug: 'drama', position: 1 });
      comedy = await insertCategory(t.db.db, { slug: 'comedy', position: 2 });
      const day = (n: number) => new Date(Date.now() - n * 24 * HOUR);
      quiet = await insertSeries(t.db.db, {
        slug: 'quiet',
        categoryId: drama,
        publishedAt: day(1),
      });
      liked = await insertSeries(t.db.db, {
        slug: 'liked',
        categoryId: drama,
        publishedAt: day(3),
        tags: ['romance'],
      });
      shared = await insertSeries(t.db.db, {
        slug: 'shared',
        categoryId: drama,
        publishedAt: day(5),
      });
      funny = await insertSeries(t.db.db, {
        slug: 'funny',
        categoryId: comedy,
        publishedAt: day(2),
      });
      await insertSeries(t.db.db, { slug: 'draft', categoryId: drama, status: 'draft' });
      await insertEpisode(t.db.db, { seriesId: liked, number: 1 });
    });
    after(() => t.close());

    test('hot: likes through the API and shares rank after the next refresh, as series cards', async () => {
      const fans = [await signInAsGuest(t.app), await signInAsGuest(t.app)];
      for (const fan of fans) {
        const response = await engagementClient(t.app, fan).add('like', 'series', liked);
        assert.equal(response.statusCode, 200, response.body);
      }
      await bumpSeriesActivity(t.db.db, shared, 'shares', 1, new Date(Date.now() - 30 * HOUR));
      await bumpSeriesActivity(t.db.db, funny, 'views', 2);

      const before = await rankings.board('hot');
      assert.equal(before.statusCode, 200);
      assert.equal(before.json().computedAt, null, 'nothing computed yet');

      const outcome = await refresher.refresh();
      assert.equal(outcome.refreshed, true);
      const response = await rankings.board('hot');
      assert.equal(response.statusCode, 200);
      const page: RankingPage = response.json();
      assert.equal(page.board, 'hot');
      assert.equal(page.category, null);
      assert.equal(page.computedAt, outcome.refreshed ? outcome.computedAt.toISOString() : null);
      // Two likes now (6) beat a share 30 hours ago (6 · 2^-1.25 ≈ 2.5) beat two views (2).
      assert.deepEqual(
        page.items.map((item) => item.slug),
        ['liked', 'shared', 'funny', 'quiet'],
      );
      assert.deepEqual(
        page.items.map((item) => item.rank),
        [1, 2, 3, 4],
      );
      const top = page.items[0]!;
      assert.equal(top.likes, 2);
      assert.equal(top.category.slug, 'drama');
      assert.deepEqual(
        top.tags.map((tag) => tag.slug),
        ['romance'],
      );
      assert.match(top.posterUrl ?? '', /^\/media\//);
      assert.ok(top.score > 5.9 && top.score <= 6, String(top.score));
      assert.equal(page.items.at(-1)!.score, 0);
    });

    test('per category, with limit; unknown categories and boards are coded errors', async () => {
      await refresher.refresh();
      const dramaPage: RankingPage = (await rankings.board('hot', 'category=drama')).json();
      assert.equal(dramaPage.category, 'drama');
      assert.deepEqual(
        dramaPage.items.map((item) => item.id),
        [liked, shared, quiet],
      );
      const comedyNew: RankingPage = (await rankings.board('new', 'category=comedy')).json();
      assert.deepEqual(
        comedyNew.items.map((item) => item.id),
        [funny],
      );
      const one: RankingPage = (await rankings.board('new', 'limit=1')).json();
      assert.deepEqual(
        one.items.map((item) => item.id),
        [quiet],
      );
      assertProblem(await rankings.board('hot', 'category=nope'), 404, 'CATEGORY_NOT_FOUND');
      assertProblem(await rankings.board('top'), 400, 'VALIDATION_FAILED');
      assertProblem(await rankings.board('HOT'), 400, 'VALIDATION_FAILED');
      assertProblem(await rankings.board('hot', 'limit=0'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await rankings.board('hot', 'limit=101'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await rankings.board('hot', 'limit=1e1'), 400, 'VALIDATION_FAILED');
      assertProblem(
        await rankings.board('hot', `category=${'x'.repeat(65)}`),
        400,
        'VALIDATION_FAILED',
      );
    });

    test('rating: reviewed series only, best Bayesian average first', async () => {
      // Reviews are kept by the discussion store; their counters are what the board reads.
      for (const [seriesId, reviews, ratingSum] of [
        [funny, 30, 140],
        [quiet, 1, 5],
        [shared, 50, 100],
      ] as const)
        await t.db.db
          .insert(seriesCounters)
          .values({ seriesId, reviews, ratingSum })
          .onConflictDoUpdate({ target: seriesCounters.seriesId, set: { reviews, ratingSum } });
      await refresher.refresh();
      const page: RankingPage = (await rankings.board('rating')).json();
      // The catalog's mean is about 3: a lone 5 is pulled down below thirty 4.67s.
      assert.deepEqual(
        page.items.map((item) => item.id),
        [funny, quiet, shared],
      );
    });

    test('a board is served from memory until the next refresh, which replaces it at once', async () => {
      await refresher.refresh();
      const first: RankingPage = (await rankings.board('hot', 'category=drama')).json();
      assert.equal(first.items[0]!.id, liked);
      // A burst for `quiet`: stored at once, ranked only from the next refresh on.
      await bumpSeriesActivity(t.db.db, quiet, 'followUps', 10);
      const cached: RankingPage = (await rankings.board('hot', 'category=drama')).json();
      assert.deepEqual(cached, first);
      await refresher.refresh();
      const fresh: RankingPage = (await rankings.board('hot', 'category=drama')).json();
      assert.equal(fresh.items[0]!.id, quiet);
      assert.notEqual(fresh.computedAt, first.computedAt);
    });

    test('a series unpublished since the refresh leaves the board; the others keep their ranks', async () => {
      await refresher.refresh();
      try {
        await t.db.db.update(series).set({ status: 'draft' }).where(eq(series.id, liked));
        const page: RankingPage = (await rankings.board('new', 'category=drama')).json();
        assert.deepEqual(
          page.items.map((item) => [item.id, item.rank]),
          [
            [quiet, 1],
            [shared, 3],
          ],
        );
      } finally {
        await t.db.db.update(series).set({ status: 'published' }).where(eq(series.id, liked));
      }
    });
  });
}

routesContract('pglite');
routesContract('postgres');

describe('the app refreshes the boards on its own from start to close', () => {
  test('a fresh app computes its boards at start, without anyone calling refresh()', async () => {
    const t = await openTestApp('pglite');
    try {
      // Before the first request: the app is not ready yet, so its refresher has not started.
      const category = await insertCategory(t.db.db, { slug: 'started' });
      const first = await insertSeries(t.db.db, { slug: 'first', categoryId: category });
      const rankings = rankingsClient(t.app);
      let page: RankingPage = (await rankings.board('new')).json();
      // The start-up refresh runs beside the first request; it clears the cache when done.
      for (let attempt = 0; attempt < 400 && page.computedAt === null; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        page = (await rankings.board('new')).json();
      }
      assert.deepEqual(
        page.items.map((item) => item.id),
        [first],
      );
    } finally {
      await t.close();
    }
  });
});
