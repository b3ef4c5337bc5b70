import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq, inArray, sql } from 'drizzle-orm';
import { feedImpressions, itemFeatures, watchProgress } from '@binge/core/db/schema';
import { openTestDatabase, type TestDatabase } from '@binge/core/db/testing';
import { createTestSeeder } from '@binge/core/db/test-seed';
import { FeedCursorError, type FeedPage, type FeedRequest } from '@binge/core/feed/feed-service';
import { createLogger } from '@binge/core/log';
import { SERVING_DIM, SERVING_FEATURES } from '../features/spec.ts';
import { initBackend } from '../model/backend.ts';
import { RankerModel, seededRandom } from '../model/ranker-model.ts';
import { categoryCap } from './rerank.ts';
import { createFeedRanker, exposureOf, type FeedRanker } from './feed-ranker.ts';
import { NO_CROSS, writeFeatureRow } from '../features/feature-row.ts';

const secret = 'feed-ranker-test-secret-0123456789abcdef';
const quiet = createLogger({ level: 'silent' });
const CATEGORIES = 3;
const SERIES_PER_CATEGORY = 4;
const EPISODES_PER_SERIES = 2;
const CATALOG = CATEGORIES * SERIES_PER_CATEGORY * EPISODES_PER_SERIES;

interface Catalog {
  viewer: number;
  episodes: Map<number, { seriesId: number; category: number }>;
}

/** CATEGORIES categories (a seeder makes one each) of playable series. */
async function seedCatalog(database: TestDatabase): Promise<Catalog> {
  const episodes = new Map<number, { seriesId: number; category: number }>();
  let viewer = 0;
  for (let c = 0; c < CATEGORIES; c += 1) {
    const seed = createTestSeeder(database.db);
    if (c === 0) viewer = await seed.user();
    for (let s = 0; s < SERIES_PER_CATEGORY; s += 1) {
      const seriesId = await seed.series();
      for (let n = 1; n <= EPISODES_PER_SERIES; n += 1)
        episodes.set(await seed.episode(seriesId, n, true), { seriesId, category: c });
    }
  }
  return { viewer, episodes };
}

async function tinyModel(version: string): Promise<RankerModel> {
  const rows = 64;
  const random = seededRandom(5);
  const x = Float32Array.from({ length: rows * SERVING_DIM }, () => random());
  const watched = Float32Array.from({ length: rows }, (_, i) => i % 2);
  return RankerModel.train(
    { rows, dim: SERVING_DIM, x, watched, weight: new Float32Array(rows).fill(1) },
    { featureNames: SERVING_FEATURES, version, hidden: [4], epochs: 1, batchSize: 64 },
  );
}

function rankerContract(kind: 'pglite' | 'postgres') {
  describe(`feed ranker on ${kind}`, () => {
    let database: TestDatabase;
    let catalog: Catalog;
    let model: RankerModel | null = null;
    let ranker: FeedRanker;
    const now = new Date();

    before(async () => {
      await initBackend('cpu');
      database = await openTestDatabase(kind);
      catalog = await seedCatalog(database);
      ranker = createFeedRanker({
        db: database.db,
        registry: { current: () => model },
        logger: quiet,
        authSecret: secret,
        explorePercent: 20,
        random: seededRandom(1),
      });
    });
    after(async () => {
      model?.dispose();
      await database.close();
    });

    /** A page, once its impressions (written behind the answer) are stored. */
    const page = async (request: Partial<FeedRequest> = {}): Promise<FeedPage> => {
      const answered = await ranker.page({
        viewerId: catalog.viewer,
        limit: 6,
        now,
        surface: 'http',
        ...request,
      });
      await ranker.settled();
      return answered;
    };

    test('a page is ranked, diverse, and logged with the vectors it was scored on', async () => {
      const first = await page();
      assert.equal(first.entries.length, 6);
      assert.equal(first.modelVersion, null, 'no model yet: the heuristic scored it');
      const perCategory = new Map<number, number>();
      first.entries.forEach((entry, i) => {
        const known = catalog.episodes.get(entry.episodeId);
        assert.ok(known, `episode ${entry.episodeId} is in the catalog`);
        assert.equal(entry.seriesId, known.seriesId);
        assert.equal(entry.impression, `${first.requestId}.${i}`);
        if (i > 0) assert.notEqual(entry.seriesId, first.entries[i - 1]!.seriesId);
        perCategory.set(known.category, (perCategory.get(known.category) ?? 0) + 1);
      });
      for (const count of perCategory.values()) assert.ok(count <= categoryCap(6));
      assert.ok(
        first.entries.some((entry) => entry.explore),
        '20 % of 6: one exploration slot',
      );

      const logged = await database.db
        .select()
        .from(feedImpressions)
        .where(eq(feedImpressions.requestId, first.requestId))
        .orderBy(feedImpressions.position);
      assert.deepEqual(
        logged.map((row) => [row.id, row.episodeId, row.userId, row.explore]),
        first.entries.map((entry) => [
          entry.impression,
          entry.episodeId,
          catalog.viewer,
          entry.explore,
        ]),
      );
      for (const row of logged) {
        assert.equal(row.features.length, SERVING_DIM);
        assert.equal(row.modelVersion, null);
      }
      const [counted] = await database.db
        .select({ impressions: itemFeatures.impressions })
        .from(itemFeatures)
        .where(eq(itemFeatures.episodeId, first.entries[0]!.episodeId));
      assert.equal(counted?.impressions, 1, 'the item counts the impression');
    });

    test('pages of a session never repeat until all was shown; then the least recently shown', async () => {
      const shown: number[][] = [];
      let cursor: string | undefined;
      for (let n = 0; n < 7; n += 1) {
        const next = await page({ limit: 5, ...(cursor ? { cursor } : {}) });
        assert.equal(next.entries.length, 5, `page ${n} is full: the feed never ends`);
        shown.push(next.entries.map((entry) => entry.episodeId));
        cursor = next.next;
      }
      for (const entries of shown) assert.equal(new Set(entries).size, entries.length);
      const flat = shown.flat();
      // A series is proposed at its entry episode: 12 series, then their second episodes.
      const firstRepeat = flat.findIndex((id, i) => flat.indexOf(id) < i);
      assert.ok(
        firstRepeat >= 20,
        `no repeat while new candidates remain (first at ${firstRepeat})`,
      );
      assert.ok(
        shown[0]!.includes(flat[firstRepeat]!),
        `the first repeat, ${flat[firstRepeat]}, comes from the least recent page`,
      );
      assert.equal(new Set(flat).size, CATALOG, 'every episode was shown');
    });

    test('impressions are written behind the answer, and the session’s next page waits for them', async () => {
      const request = { viewerId: catalog.viewer, limit: 4, now, surface: 'http' as const };
      const first = await ranker.page(request);
      // No settled() in between: the next page must still see the first one's impressions.
      const second = await ranker.page({ ...request, cursor: first.next });
      const shown = new Set(first.entries.map((entry) => entry.episodeId));
      for (const entry of second.entries)
        assert.ok(!shown.has(entry.episodeId), `episode ${entry.episodeId} shown twice`);
      await ranker.settled();
      const rows = await database.db
        .select({ requestId: feedImpressions.requestId })
        .from(feedImpressions)
        .where(inArray(feedImpressions.requestId, [first.requestId, second.requestId]));
      assert.equal(rows.length, first.entries.length + second.entries.length);
    });

    test('a retried page is the same page, logged once', async () => {
      const first = await page({ limit: 3 });
      const second = await page({ limit: 3, cursor: first.next });
      // The answer was lost and the client asks again with the same cursor.
      const retried = await page({ limit: 3, cursor: first.next });
      assert.deepEqual(retried.entries, second.entries);
      assert.equal(retried.requestId, second.requestId);
      assert.equal(retried.next, second.next);
      const rows = await database.db
        .select({ id: feedImpressions.id })
        .from(feedImpressions)
        .where(eq(feedImpressions.requestId, second.requestId));
      assert.equal(rows.length, second.entries.length);
    });

    test('a model scores pages when there is one; a model that fails gives way', async () => {
      model = await tinyModel('tiny-1');
      const scored = await page();
      assert.equal(scored.modelVersion, 'tiny-1');
      const [row] = await database.db
        .select({ modelVersion: feedImpressions.modelVersion })
        .from(feedImpressions)
        .where(eq(feedImpressions.requestId, scored.requestId))
        .limit(1);
      assert.equal(row?.modelVersion, 'tiny-1');
      // A disposed model throws on predict: the heuristic serves, the page is whole.
      model.dispose();
      const fallback = await page();
      assert.equal(fallback.modelVersion, null);
      assert.equal(fallback.entries.length, 6);
      model = null;
    });

    test('cursors are the viewer’s own; anonymous viewers get a logged page too', async () => {
      const mine = await page({ limit: 2 });
      await assert.rejects(page({ cursor: mine.next, viewerId: null }), FeedCursorError);
      await assert.rejects(page({ cursor: `${mine.next.slice(0, -1)}x` }), FeedCursorError);
      await assert.rejects(page({ cursor: 'o1' }), FeedCursorError);
      const anonymous = await page({ viewerId: null, limit: 3 });
      assert.equal(anonymous.entries.length, 3);
      const rows = await database.db
        .select({ userId: feedImpressions.userId })
        .from(feedImpressions)
        .where(eq(feedImpressions.requestId, anonymous.requestId));
      assert.deepEqual(
        rows.map((row) => row.userId),
        [null, null, null],
      );
      const second = await page({ viewerId: null, limit: 3, cursor: anonymous.next });
      const firstIds = new Set(anonymous.entries.map((entry) => entry.episodeId));
      assert.ok(second.entries.every((entry) => !firstIds.has(entry.episodeId)));
    });
  });
}

test('the exploration prior reads back from the feature row it was written to', () => {
  const x = new Float32Array(3 * SERVING_DIM);
  const cases = [
    { impressions: 0, starts: 0 },
    { impressions: 150, starts: 40 },
    { impressions: 250_000, starts: 61_234 },
  ];
  cases.forEach((exposure, row) =>
    writeFeatureRow(
      x,
      row,
      {
        ...exposure,
        completes: 3,
        earlySkips: 1,
        likes: 0,
        shares: 0,
        watchMs: 0,
        durationMs: 60_000,
        ageDays: 2,
        episodeNumber: 1,
        isFree: true,
        seriesViews: 10,
      },
      null,
      NO_CROSS,
      'hot',
    ),
  );
  const read = cases.map((_, row) => exposureOf(x, row));
  assert.deepEqual(read.slice(0, 2), cases.slice(0, 2));
  // float32 keeps about seven digits: a quarter million impressions come back within a few.
  assert.ok(
    Math.abs(read[2]!.impressions - 250_000) < 50 && Math.abs(read[2]!.starts - 61_234) < 50,
  );
});

rankerContract('pglite');
rankerContract('postgres');

describe('the feed always answers', () => {
  test('features, exposure and impression tables gone: source order; candidates gone: hot order', async () => {
    await initBackend('cpu');
    const database = await openTestDatabase('pglite');
    try {
      const catalog = await seedCatalog(database);
      const ranker = createFeedRanker({
        db: database.db,
        registry: { current: () => null },
        logger: quiet,
        authSecret: secret,
        explorePercent: 10,
        random: seededRandom(2),
      });
      const request = {
        viewerId: catalog.viewer,
        limit: 4,
        now: new Date(),
        surface: 'ws' as const,
      };
      // The features read item_features; the exposure prior and the impression counts too.
      await database.db.execute(sql`drop table item_features`);
      const unfeatured = await ranker.page(request);
      assert.equal(unfeatured.entries.length, 4);
      assert.equal(unfeatured.modelVersion, null);
      assert.equal(ranker.stats().hotPages, 0, 'still ranked, from the candidates');
      // The hot board the candidates start from is gone too: the hot order answers.
      await database.db.execute(sql`drop table series_rankings`);
      const hot = await ranker.page({ ...request, cursor: unfeatured.next });
      assert.equal(hot.entries.length, 4);
      assert.ok(hot.entries.every((entry) => entry.source === 'hot'));
      assert.equal(ranker.stats().hotPages, 1);
    } finally {
      await database.close();
    }
  });

  test('a viewer who finished every series still gets a page', async () => {
    const database = await openTestDatabase('pglite');
    try {
      const catalog = await seedCatalog(database);
      await database.db.insert(watchProgress).values(
        [...catalog.episodes.keys()].map((episodeId) => ({
          userId: catalog.viewer,
          episodeId,
          positionMs: 90_000,
          durationMs: 90_000,
          hlcWallMs: Date.now(),
          hlcCounter: 0,
          hlcNode: 'test',
        })),
      );
      const ranker = createFeedRanker({
        db: database.db,
        registry: { current: () => null },
        logger: quiet,
        authSecret: secret,
        explorePercent: 0,
      });
      const page = await ranker.page({
        viewerId: catalog.viewer,
        limit: 5,
        now: new Date(),
        surface: 'http',
      });
      assert.equal(page.entries.length, 5);
    } finally {
      await database.close();
    }
  });
});
