import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'drizzle-orm';
import type {
  Category,
  List,
  Page,
  SeriesDetail,
  SeriesSummary,
} from '@binge/core/protocol/catalog';
import { hotScore } from '@binge/core/catalog/hot-score';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';

function assertProblem(response: LightMyRequestResponse, status: number, code: string) {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const problem = response.json();
  assert.equal(problem.code, code);
  assert.equal(problem.status, status);
  assert.equal(typeof problem.title, 'string');
  assert.match(problem.type, /^https:\/\/binge\.dev\/problems\/[a-z-]+$/);
  assert.equal(problem.instance, response.raw.req.url);
}

const HOUR = 3_600_000;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`catalog routes on ${kind}`, () => {
    let t: TestApp;
    const ids = {} as Record<string, number>;
    const now = Date.now();

    before(async () => {
      t = await openTestApp(kind);
      const db = t.db.db;
      ids.drama = await insertCategory(db, { slug: 'drama', position: 2 });
      ids.romance = await insertCategory(db, { slug: 'romance', position: 1 });
      ids.empty = await insertCategory(db, { slug: 'empty', position: 3 });
      // Seven published drama series an hour apart, two of them sharing a timestamp, one draft.
      const tie = new Date(now - 3.5 * HOUR);
      for (let i = 0; i < 7; i++) {
        ids[`d${i}`] = await insertSeries(db, {
          slug: `drama-${i}`,
          categoryId: ids.drama,
          publishedAt: i === 3 || i === 4 ? tie : new Date(now - (i + 1) * HOUR),
          views: i * 10,
          likes: i,
          tags: i === 0 ? ['revenge', 'ceo'] : [],
        });
      }
      ids.draft = await insertSeries(db, { slug: 'draft', categoryId: ids.drama, status: 'draft' });
      ids.old = await insertSeries(db, {
        slug: 'romance-old',
        categoryId: ids.romance,
        publishedAt: new Date(now - 200 * HOUR),
        views: 100_000,
        likes: 100,
      });
      ids.fresh = await insertSeries(db, {
        slug: 'romance-fresh',
        categoryId: ids.romance,
        publishedAt: new Date(now - 0.5 * HOUR),
        views: 300,
        likes: 20,
      });
      await insertEpisode(db, { seriesId: ids.d0!, number: 2, status: 'processing' });
      await insertEpisode(db, { seriesId: ids.d0!, number: 1 });
      await insertEpisode(db, { seriesId: ids.d0!, number: 3, isFree: false, priceCoins: 30 });
    });
    after(() => t.close());

    test('categories come in position order with published series counts', async () => {
      const response = await t.app.inject('/api/v1/categories');
      assert.equal(response.statusCode, 200);
      const body: List<Category> = response.json();
      assert.deepEqual(
        body.items.map((c) => [c.slug, c.seriesCount]),
        [
          ['romance', 2],
          ['drama', 7],
          ['empty', 0],
        ],
      );
      assert.deepEqual(body.items[0]!.name, { en: 'Category romance', zh: '类别 romance' });
    });

    test('series pages walk the whole category newest first without gaps or repeats', async () => {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `/api/v1/series?category=drama&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const response = await t.app.inject(query);
        assert.equal(response.statusCode, 200, response.body);
        const page: Page<SeriesSummary> = response.json();
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((s) => s.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 10);
      assert.equal(pages, 4);
      // d3 and d4 share publishedAt: id desc breaks the tie, across the page boundary.
      assert.deepEqual(seen, [ids.d0, ids.d1, ids.d2, ids.d4, ids.d3, ids.d5, ids.d6]);
    });

    test('a series summary has the wire shape', async () => {
      const page: Page<SeriesSummary> = (await t.app.inject('/api/v1/series?limit=50')).json();
      assert.equal(page.nextCursor, null);
      assert.equal(page.items.length, 9, 'drafts are not listed');
      assert.equal(page.items[0]!.id, ids.fresh);
      const d0 = page.items.find((s) => s.id === ids.d0)!;
      assert.deepEqual(
        d0.tags.map((tag) => tag.slug),
        ['ceo', 'revenge'],
      );
      assert.deepEqual(d0.category, {
        id: ids.drama,
        slug: 'drama',
        name: { en: 'Category drama', zh: '类别 drama' },
      });
      assert.equal(d0.episodeCount, 3);
      assert.equal(d0.readyEpisodeCount, 2);
      assert.match(d0.posterUrl!, /^\/media\/\d+\.3\.[\w-]{22}\/episodes\/\d+\/\d+\/poster\.jpg$/);
      assert.equal(typeof d0.publishedAt, 'string');
      assert.ok(!Number.isNaN(Date.parse(d0.publishedAt!)));
      const d1 = page.items.find((s) => s.id === ids.d1)!;
      assert.equal(d1.posterUrl, null);
      assert.equal(d1.views, 10);
      assert.equal(d1.likes, 1);
    });

    test('unknown category is CATEGORY_NOT_FOUND', async () => {
      assertProblem(await t.app.inject('/api/v1/series?category=nope'), 404, 'CATEGORY_NOT_FOUND');
      assertProblem(
        await t.app.inject(`/api/v1/series?category=${encodeURIComponent("x' or 1=1 --")}`),
        404,
        'CATEGORY_NOT_FOUND',
      );
    });

    test('page sizes outside 1..50 are rejected with a code', async () => {
      for (const limit of ['0', '-1', '51', '1000000000', '99999999999999999999'])
        assertProblem(
          await t.app.inject(`/api/v1/series?limit=${limit}`),
          400,
          'PAGE_SIZE_OUT_OF_RANGE',
        );
      for (const limit of ['abc', '1.5', '', '0x10', '1e9', '%205', '5&limit=6'])
        assertProblem(
          await t.app.inject(`/api/v1/series?limit=${limit}`),
          400,
          'VALIDATION_FAILED',
        );
      const response = await t.app.inject('/api/v1/series?limit=abc');
      assert.match(response.json().detail, /limit/);
      assertProblem(
        await t.app.inject('/api/v1/lists/hot?limit=51'),
        400,
        'PAGE_SIZE_OUT_OF_RANGE',
      );
      assertProblem(
        await t.app.inject('/api/v1/lists/new?limit=-1'),
        400,
        'PAGE_SIZE_OUT_OF_RANGE',
      );
    });

    test('garbled and forged cursors are INVALID_CURSOR, never a database error', async () => {
      const good: Page<SeriesSummary> = (await t.app.inject('/api/v1/series?limit=1')).json();
      const cursor = good.nextCursor!;
      const [payload, sig] = cursor.split('.') as [string, string];
      const forged = Buffer.from(
        JSON.stringify({ v: 1, p: "'; drop table series; --", i: 1 }),
      ).toString('base64url');
      for (const bad of [
        'abc',
        'a.b',
        cursor.slice(0, -2),
        `${forged}.${sig}`,
        `${payload}.${'A'.repeat(16)}`,
        '%00',
      ])
        assertProblem(
          await t.app.inject(`/api/v1/series?cursor=${encodeURIComponent(bad)}`),
          400,
          'INVALID_CURSOR',
        );
      assertProblem(
        await t.app.inject(`/api/v1/series?cursor=${'a'.repeat(600)}`),
        400,
        'VALIDATION_FAILED',
      );
    });

    test('series detail lists episodes in order with signed posters of ready ones', async () => {
      const response = await t.app.inject(`/api/v1/series/${ids.d0}`);
      assert.equal(response.statusCode, 200);
      const detail: SeriesDetail = response.json();
      assert.equal(detail.id, ids.d0);
      assert.deepEqual(
        detail.episodes.map((e) => [
          e.number,
          e.status,
          e.isFree,
          e.priceCoins,
          e.posterUrl !== null,
        ]),
        [
          [1, 'ready', true, 0, true],
          [2, 'processing', true, 0, false],
          [3, 'ready', false, 30, true],
        ],
      );
      assert.deepEqual(detail.episodes[0]!.title, { en: 'Episode 1', zh: '第1集' });
    });

    test('malformed series ids are INVALID_ID; unknown and draft ones SERIES_NOT_FOUND', async () => {
      for (const id of ['0', '-1', 'abc', '1e3', '99999999999', '2147483648', '01', '1.0'])
        assertProblem(await t.app.inject(`/api/v1/series/${id}`), 400, 'INVALID_ID');
      assertProblem(await t.app.inject('/api/v1/series/2147483647'), 404, 'SERIES_NOT_FOUND');
      assertProblem(await t.app.inject(`/api/v1/series/${ids.draft}`), 404, 'SERIES_NOT_FOUND');
    });

    test('new list is newest first; hot list ranks by decayed engagement', async () => {
      const fresh: List<SeriesSummary> = (await t.app.inject('/api/v1/lists/new?limit=3')).json();
      assert.deepEqual(
        fresh.items.map((s) => s.id),
        [ids.fresh, ids.d0, ids.d1],
      );

      const hot: List<SeriesSummary> = (await t.app.inject('/api/v1/lists/hot?limit=50')).json();
      assert.equal(hot.items.length, 9);
      const at = Date.now();
      const expected = [...hot.items]
        .map((s) => ({
          id: s.id,
          score: hotScore(s.views, s.likes, (at - Date.parse(s.publishedAt!)) / HOUR),
        }))
        .sort((a, b) => b.score - a.score || b.id - a.id)
        .map((s) => s.id);
      assert.deepEqual(
        hot.items.map((s) => s.id),
        expected,
      );
      // The fresh series beats the much-viewed but week-old one.
      const order = hot.items.map((s) => s.id);
      assert.ok(order.indexOf(ids.fresh!) < order.indexOf(ids.old!));
    });

    test('the SQL hot score equals the pure function', async () => {
      const rows = await t.db.db.execute(sql`select (94 + 5 * 1 + 1)::float8
        / power(greatest(extract(epoch from (timestamptz '2024-01-01 02:00:00+00' - timestamptz '2024-01-01 00:00:00+00')) / 3600, 0) + 2, 1.5) as score`);
      const score = Number((rows as unknown as { rows: { score: number }[] }).rows[0]!.score);
      assert.ok(Math.abs(score - hotScore(94, 1, 2)) < 1e-12);
    });
  });
}
