import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import { signInAsGuest, type SessionClient } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { feedApiClient, type FeedApiClient } from './feed-api-client.ts';
import type { FeedPageWire } from './feed-schemas.ts';

const SERIES = 5;

function routesContract(kind: 'pglite' | 'postgres') {
  describe(`feed route on ${kind} (hot order, no ranker in process)`, () => {
    let t: TestApp;
    let feed: FeedApiClient;
    let viewer: SessionClient;
    const episodeIds = new Set<number>();

    before(async () => {
      t = await openTestApp(kind);
      feed = feedApiClient(t.app);
      const category = await insertCategory(t.db.db, { slug: 'drama' });
      for (let s = 0; s < SERIES; s += 1) {
        const seriesId = await insertSeries(t.db.db, { slug: `s${s}`, categoryId: category });
        episodeIds.add((await insertEpisode(t.db.db, { seriesId, number: 1 })).episodeId);
      }
      viewer = await signInAsGuest(t.app);
    });
    after(async () => t.close());

    test('pages come with impression tokens and a next cursor, endlessly', async () => {
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 4; page += 1) {
        const response = await feed.page({ limit: 2, ...(cursor ? { cursor } : {}) });
        assert.equal(response.statusCode, 200, response.body);
        const body = response.json<FeedPageWire>();
        assert.equal(body.items.length, 2, `page ${page} is full: the feed never ends`);
        for (const item of body.items) {
          assert.ok(episodeIds.has(item.episodeId));
          assert.match(item.impression, /^[A-Za-z0-9_-]{1,40}\.[0-9]{1,3}$/);
          assert.equal(item.source, 'hot');
        }
        seen.push(...body.items.map((item) => item.episodeId));
        cursor = body.next;
      }
      // The first five entries are the whole catalog once; then it starts again.
      assert.equal(new Set(seen.slice(0, SERIES)).size, SERIES);
      assert.deepEqual(seen.slice(SERIES, 2 * SERIES - 2), seen.slice(0, SERIES - 2));
    });

    test('a signed-in viewer gets a cursor bound to them', async () => {
      const mine = await feed.page({ limit: 3 }, viewer.headers);
      assert.equal(mine.statusCode, 200, mine.body);
      const { next } = mine.json<FeedPageWire>();
      const again = await feed.page({ limit: 3, cursor: next }, viewer.headers);
      assert.equal(again.statusCode, 200);
      // The same cursor without the session (or with another's) was not issued to that viewer.
      assertProblem(await feed.page({ cursor: next }), 400, 'INVALID_CURSOR');
      const other = await signInAsGuest(t.app);
      assertProblem(await feed.page({ cursor: next }, other.headers), 400, 'INVALID_CURSOR');
    });

    test('bad cursors, limits and tokens are problems with a code', async () => {
      assertProblem(await feed.page({ cursor: 'not-a-cursor' }), 400, 'INVALID_CURSOR');
      const { next } = (await feed.page({ limit: 1 })).json<FeedPageWire>();
      const forged = next.slice(0, -2) + (next.endsWith('AA') ? 'BB' : 'AA');
      assertProblem(await feed.page({ cursor: forged }), 400, 'INVALID_CURSOR');
      assertProblem(await feed.page({ cursor: 'x'.repeat(300) }), 400, 'VALIDATION_FAILED');
      assertProblem(await feed.page({ limit: 0 }), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await feed.page({ limit: 51 }), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await feed.page({ limit: '1e1' }), 400, 'VALIDATION_FAILED');
      assertProblem(
        await feed.page({}, { authorization: 'Bearer forged.token.here' }),
        401,
        'SESSION_INVALID',
      );
    });
  });
}

routesContract('pglite');
routesContract('postgres');

describe('feed route with RANKER_URL', () => {
  let t: TestApp;
  let rankerUrl: string;
  let closeRanker: () => Promise<void>;
  let calls = 0;

  before(async () => {
    // A ranker process that is up but broken: every page fails.
    const broken = createServer((_request, response) => {
      calls += 1;
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end('{"code":"INTERNAL"}');
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    rankerUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
    closeRanker = () => new Promise((resolve) => broken.close(() => resolve()));
    t = await openTestApp('pglite', { env: { RANKER_URL: rankerUrl } });
    const category = await insertCategory(t.db.db, { slug: 'drama' });
    const seriesId = await insertSeries(t.db.db, { slug: 'only', categoryId: category });
    await insertEpisode(t.db.db, { seriesId, number: 1 });
  });
  after(async () => {
    await t.close();
    await closeRanker();
  });

  test('a ranker that fails leaves the feed answering in hot order', async () => {
    const response = await feedApiClient(t.app).page({ limit: 5 });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json<FeedPageWire>().items.length, 1);
    assert.equal(calls, 1, 'the ranker was asked first');
  });
});
