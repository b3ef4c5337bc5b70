import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { DatabaseHandle } from '@binge/core/db';
import { openTestDatabase } from '@binge/core/db/testing';
import { createTestSeeder } from '@binge/core/db/test-seed';
import { createFeedClient, RankerResponseError } from '@binge/core/feed/feed-client';
import { createFeedCursorCodec } from '@binge/core/feed/feed-cursor';
import { createHotFeed } from '@binge/core/feed/feed-fallback';
import { FeedCursorError, type FeedService } from '@binge/core/feed/feed-service';
import { FEED_PAGE_PATH, rankerKey } from '@binge/core/feed/feed-wire';
import { createLogger } from '@binge/core/log';
import { createSqlRealtimeStore } from '@binge/core/realtime-state/store-sql';
import { createRankerHttp, type RankerHttpServer } from './ranker-http.ts';

const secret = 'ranker-http-test-secret-0123456789abcdef';
const quiet = createLogger({ level: 'silent' });
const now = new Date();

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the ranker HTTP API and its client', () => {
  let database: DatabaseHandle;
  let hot: FeedService;
  let http: RankerHttpServer;
  let url: string;
  const episodes: number[] = [];

  before(async () => {
    database = await openTestDatabase('pglite');
    const seed = createTestSeeder(database.db);
    for (let i = 0; i < 4; i += 1) episodes.push(await seed.episode(await seed.series(), 1, true));
    // The served feed: the hot order, a real FeedService over the database.
    hot = createHotFeed({
      store: createSqlRealtimeStore(database.db),
      cursors: createFeedCursorCodec(secret),
    });
    http = createRankerHttp({
      feed: hot,
      authSecret: secret,
      logger: quiet,
      modelVersion: () => 'v1',
    });
    url = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  });
  after(async () => {
    await http.close();
    await database.close();
  });

  test('pages cross the wire whole, and their cursors chain', async () => {
    const client = createFeedClient({ url, authSecret: secret });
    const first = await client.page({ viewerId: null, limit: 3, now, surface: 'http' });
    assert.equal(first.entries.length, 3);
    assert.equal(first.modelVersion, null);
    const second = await client.page({
      viewerId: null,
      cursor: first.next,
      limit: 3,
      now,
      surface: 'http',
    });
    const shown = [...first.entries, ...second.entries].map((entry) => entry.episodeId);
    assert.deepEqual(new Set(shown.slice(0, 4)), new Set(episodes), 'all four, then again');
    assert.notEqual(second.requestId, first.requestId);
    // The same cursor read in process gives the same page: one codec, one contract.
    const direct = await hot.page({
      viewerId: null,
      cursor: first.next,
      limit: 3,
      now,
      surface: 'ws',
    });
    assert.deepEqual(
      direct.entries.map((entry) => entry.episodeId),
      second.entries.map((entry) => entry.episodeId),
    );
  });

  test('a refused cursor is a FeedCursorError on the client side too, never a fallback', async () => {
    const client = createFeedClient({ url, authSecret: secret, fallback: hot });
    await assert.rejects(
      client.page({ viewerId: null, cursor: 'forged', limit: 3, now, surface: 'http' }),
      FeedCursorError,
    );
    const mine = await client.page({ viewerId: 7, limit: 1, now, surface: 'ws' });
    await assert.rejects(
      client.page({ viewerId: 8, cursor: mine.next, limit: 1, now, surface: 'ws' }),
      /another viewer/,
    );
  });

  test('the server refuses a wrong key, a bad body and a large one with a code', async () => {
    const post = (body: string, key = rankerKey(secret)) =>
      fetch(new URL(FEED_PAGE_PATH, url), {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
    const codeOf = async (response: Response) => ((await response.json()) as { code: string }).code;

    const wrongKey = await post('{}', rankerKey('another-secret-of-at-least-32-chars!!'));
    assert.equal(wrongKey.status, 401);
    assert.equal(await codeOf(wrongKey), 'RANKER_KEY_INVALID');
    const notJson = await post('{"viewerId":');
    assert.equal(notJson.status, 400);
    assert.equal(await codeOf(notJson), 'VALIDATION_FAILED');
    const badLimit = await post(
      JSON.stringify({ viewerId: null, limit: 500, now: 1, surface: 'ws' }),
    );
    assert.equal(badLimit.status, 400);
    assert.match(((await badLimit.json()) as { message: string }).message, /limit/);
    const large = await post(JSON.stringify({ pad: 'x'.repeat(20_000) }));
    assert.equal(large.status, 413);
    const get = await fetch(new URL(FEED_PAGE_PATH, url));
    assert.equal(get.status, 405);
    const health = await fetch(new URL('/health', url));
    assert.deepEqual(await health.json(), { status: 'ok', modelVersion: 'v1' });

    const keyless = createFeedClient({ url, authSecret: 'another-secret-of-at-least-32-chars!!' });
    await assert.rejects(
      keyless.page({ viewerId: null, limit: 1, now, surface: 'ws' }),
      RankerResponseError,
    );
  });

  test('a ranker that is down, slow or talks nonsense gives way to the fallback', async () => {
    const fellBack = async (rankerUrl: string, timeoutMs = 2000) => {
      const client = createFeedClient({
        url: rankerUrl,
        authSecret: secret,
        fallback: hot,
        timeoutMs,
      });
      const page = await client.page({ viewerId: null, limit: 2, now, surface: 'ws' });
      assert.equal(page.entries.length, 2);
      const bare = createFeedClient({ url: rankerUrl, authSecret: secret, timeoutMs });
      await assert.rejects(bare.page({ viewerId: null, limit: 2, now, surface: 'ws' }));
    };

    // Down: a port nobody listens on.
    const closed = createServer();
    const downUrl = await listening(closed);
    await new Promise((resolve) => closed.close(resolve));
    await fellBack(downUrl);

    // Slow: accepts and never answers.
    const silent = createServer(() => {});
    await fellBack(await listening(silent), 200);
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));

    // Nonsense: 200 with a body that is not a page.
    const liar = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"entries":[{"episodeId":-1}],"next":"x"}');
    });
    await fellBack(await listening(liar));
    await new Promise((resolve) => liar.close(resolve));
  });
});
