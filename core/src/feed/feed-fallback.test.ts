import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { createTestSeeder } from '../db/test-seed.ts';
import { createSqlRealtimeStore } from '../realtime-state/store-sql.ts';
import { createFeedCursorCodec } from './feed-cursor.ts';
import { createHotFeed } from './feed-fallback.ts';
import { FeedCursorError, type FeedService } from './feed-service.ts';

const now = new Date();

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`hot-order feed on ${kind}`, () => {
    let database: TestDatabase;
    let feed: FeedService;

    before(async () => {
      database = await openTestDatabase(kind);
      feed = createHotFeed({
        store: createSqlRealtimeStore(database.db),
        cursors: createFeedCursorCodec('f'.repeat(32)),
      });
    });
    after(async () => database.close());

    test('an empty catalog still answers, with a next page', async () => {
      const page = await feed.page({ viewerId: null, limit: 5, now, surface: 'http' });
      assert.deepEqual(page.entries, []);
      const again = await feed.page({
        viewerId: null,
        cursor: page.next,
        limit: 5,
        now,
        surface: 'http',
      });
      assert.deepEqual(again.entries, []);
    });

    test('it never ends, never repeats within a page, and binds its cursor to the viewer', async () => {
      const seed = createTestSeeder(database.db);
      const viewer = await seed.user();
      const catalog: number[] = [];
      for (let i = 0; i < 3; i += 1) catalog.push(await seed.episode(await seed.series(), 1, true));
      const shown: number[][] = [];
      let cursor: string | undefined;
      for (let n = 0; n < 4; n += 1) {
        const page = await feed.page({
          viewerId: viewer,
          limit: 2,
          now,
          surface: 'ws',
          ...(cursor ? { cursor } : {}),
        });
        assert.deepEqual(
          page.entries.map((entry) => entry.impression),
          [`${page.requestId}.0`, `${page.requestId}.1`],
        );
        shown.push(page.entries.map((entry) => entry.episodeId));
        cursor = page.next;
      }
      for (const page of shown) assert.equal(new Set(page).size, 2);
      // Three episodes in pages of two: the order wraps around without a gap.
      assert.deepEqual(shown.flat().slice(3, 8), shown.flat().slice(0, 5));
      assert.deepEqual(new Set(shown.flat()), new Set(catalog));
      await assert.rejects(
        feed.page({ viewerId: null, cursor, limit: 2, now, surface: 'ws' }),
        FeedCursorError,
      );
    });
  });
}
