import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { rankerModels } from '@binge/core/db/schema';
import { openTestDatabase, type TestDatabase } from '@binge/core/db/testing';
import { createLogger } from '@binge/core/log';
import { createSqlRankingStore } from '@binge/core/rankings/store-sql';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import {
  createWatchEventPipeline,
  type WatchEventPipeline,
} from '@binge/core/watch-events/pipeline';
import { eventClient } from '../../api/src/events/event-client.ts';
import { feedApiClient, type FeedApiClient } from '../../api/src/feed/feed-api-client.ts';
import type { FeedPageWire } from '../../api/src/feed/feed-schemas.ts';
import { assertProblem } from '../../api/src/testing/assert-problem.ts';
import {
  insertCategory,
  insertEpisode,
  insertSeries,
} from '../../api/src/testing/catalog-fixtures.ts';
import { signInAsGuest, type SessionClient } from '../../api/src/testing/session-client.ts';
import { openTestApp, type TestApp } from '../../api/src/testing/test-app.ts';
import { createEventConsumer, type EventConsumer } from '../../feed-ranker/src/events/consumer.ts';
import { createModelRegistry, type ModelRegistry } from '../../feed-ranker/src/model/registry.ts';
import { seededRandom } from '../../feed-ranker/src/model/ranker-model.ts';
import { createFeedRanker, type FeedRanker } from '../../feed-ranker/src/serving/feed-ranker.ts';

/**
 * Issue 5's done-when: "the feed reacts to what a viewer watches". A viewer reads a feed page,
 * watches episodes of one category to the end and swipes away from the others, through the real
 * event path (POST /api/v1/events → ingester → event stream → consumer → watch_events and the
 * features), then opens the feed again: that category's share of the page has risen.
 *
 * Run on PGlite with the in-memory stream (the embedded platform) and on PostgreSQL with the Redis
 * stream (the scaled one). The model registry serves no model: the only model row is corrupt, so
 * the heuristic ranks, which is what a fresh deployment does until its first training.
 */
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = createLogger({ level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent' });
const CATEGORIES = 4;
const SERIES_PER_CATEGORY = 6;
const EPISODES_PER_SERIES = 3;
const DURATION_MS = 90_000;
const PAGE = 12;
const HOUR = 3_600_000;

let eventN = 0;
const eventId = () => `feed-reacts-${(++eventN).toString().padStart(6, '0')}`;

function reactsContract(kind: 'pglite' | 'postgres') {
  describe(`the feed reacts to what a viewer watches (${kind})`, () => {
    let database: TestDatabase;
    let dataDir: string;
    let pipeline: WatchEventPipeline;
    let consumer: EventConsumer;
    let registry: ModelRegistry;
    let ranker: FeedRanker;
    let t: TestApp;
    let feed: FeedApiClient;
    let viewer: SessionClient;
    const redisPrefix = `binge-test-${randomBytes(4).toString('hex')}:`;
    /** Episode → its category's index, and its series. */
    const catalog = new Map<number, { category: number; seriesId: number; number: number }>();

    before(async () => {
      database = await openTestDatabase(kind);
      dataDir = await mkdtemp(path.join(tmpdir(), 'binge-feed-reacts-'));
      const db = database.db;
      let n = 0;
      for (let c = 0; c < CATEGORIES; c += 1) {
        const categoryId = await insertCategory(db, { slug: `reacts-${c}`, position: c });
        for (let s = 0; s < SERIES_PER_CATEGORY; s += 1, n += 1) {
          const seriesId = await insertSeries(db, {
            slug: `reacts-${c}-${s}`,
            categoryId,
            publishedAt: new Date(Date.now() - 20 * 24 * HOUR + n * HOUR),
            views: (n * 7919) % 1000,
            tags: [`reacts-tag-${c}`],
          });
          for (let e = 1; e <= EPISODES_PER_SERIES; e += 1) {
            const { episodeId } = await insertEpisode(db, { seriesId, number: e });
            catalog.set(episodeId, { category: c, seriesId, number: e });
          }
        }
      }
      await createSqlRankingStore(db).refresh();

      // A corrupt artifact is the active model: the registry refuses it and serves none.
      const storage = createLocalStorage(path.join(dataDir, 'media'));
      await storage.put('models/ranker/corrupt-1/weights.bin', Buffer.from('not weights'));
      await storage.put('models/ranker/corrupt-1/meta.json', Buffer.from('{"format":'));
      await db.insert(rankerModels).values({
        version: 'corrupt-1',
        status: 'active',
        storageKey: 'models/ranker/corrupt-1',
      });
      registry = createModelRegistry({ db, storage, logger: quiet, pollMs: 0, backend: 'cpu' });
      await registry.start();

      pipeline = createWatchEventPipeline(
        {
          redisUrl: kind === 'postgres' ? redisUrl : undefined,
          redisPrefix,
          watchEventsPerMinute: 600,
        },
        { db, logger: quiet },
      );
      consumer = createEventConsumer({
        db,
        stream: pipeline.stream,
        logger: quiet,
        name: 'reacts',
      });
      await consumer.drain(); // creates the consumer group before any event is sent
      ranker = createFeedRanker({
        db,
        registry,
        logger: quiet,
        authSecret: 'feed-reacts-secret-0123456789abcdef',
        explorePercent: 10,
        random: seededRandom(42),
      });
      t = await openTestApp(kind, { db: database, feed: ranker, watchIngester: pipeline.ingester });
      feed = feedApiClient(t.app);
      viewer = await signInAsGuest(t.app);
    });

    after(async () => {
      await t.close();
      await pipeline.close();
      await registry.stop();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
      if (kind === 'postgres') {
        const redis = new Redis(redisUrl);
        const keys = await redis.keys(`${redisPrefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      }
    });

    async function freshPage(): Promise<FeedPageWire> {
      const response = await feed.page({ limit: PAGE }, viewer.headers);
      assert.equal(response.statusCode, 200, response.body);
      return response.json<FeedPageWire>();
    }

    function shareOf(page: FeedPageWire, category: number): number {
      return page.items.filter((item) => catalog.get(item.episodeId)?.category === category).length;
    }

    test('the corrupt model is marked so and the feed answers without it', async () => {
      assert.equal(registry.current(), null);
      const [row] = await database.db
        .select({ status: rankerModels.status })
        .from(rankerModels)
        .where(eq(rankerModels.version, 'corrupt-1'));
      assert.equal(row?.status, 'corrupt');
      const page = await ranker.page({ viewerId: null, limit: 5, now: new Date(), surface: 'ws' });
      assert.equal(page.entries.length, 5);
      assert.equal(page.modelVersion, null, 'scored by the heuristic');
    });

    test('watching one category to the end and skipping the rest makes it rise', async () => {
      const before = await freshPage();
      assert.equal(before.items.length, PAGE);
      const counts = Array.from({ length: CATEGORIES }, (_, c) => shareOf(before, c));
      // The category the feed showed least is the one the viewer turns out to love.
      const loved = counts.indexOf(Math.min(...counts));

      const at = Date.now() - 10 * 60_000;
      let clock = 0;
      const events: unknown[] = [];
      const play = (episodeId: number, imp: string | undefined, watchedMs: number) => {
        const common = { eid: episodeId, ...(imp ? { imp } : {}) };
        events.push({ id: eventId(), t: 'start', pos: 0, at: at + clock++ * 1000, ...common });
        if (watchedMs >= DURATION_MS) {
          for (const pos of [30_000, 60_000])
            events.push({ id: eventId(), t: 'heartbeat', pos, at: at + clock++ * 1000, ...common });
          events.push({
            id: eventId(),
            t: 'complete',
            pos: DURATION_MS,
            at: at + clock++ * 1000,
            ...common,
          });
        } else {
          events.push({
            id: eventId(),
            t: 'swipe',
            pos: watchedMs,
            at: at + clock++ * 1000,
            ...common,
          });
        }
      };
      // Swipes away at once from what the page showed of other categories.
      for (const item of before.items)
        if (catalog.get(item.episodeId)!.category !== loved)
          play(item.episodeId, item.impression, 1500);
      // Watches the loved category's series, two episodes each, to the end.
      const lovedEpisodes = [...catalog.entries()]
        .filter(([, e]) => e.category === loved && e.number <= 2)
        .map(([id]) => id);
      for (const episodeId of lovedEpisodes) {
        const shown = before.items.find((item) => item.episodeId === episodeId);
        play(episodeId, shown?.impression, DURATION_MS);
      }
      assert.ok(events.length <= 100);
      const ack = await eventClient(t.app, viewer).send(events);
      assert.equal(ack.statusCode, 202, ack.body);
      assert.deepEqual(ack.json(), { n: events.length, rej: [] });
      const drained = await consumer.drain();
      assert.equal(drained.stored, events.length, 'every event stored');

      const afterPage = await freshPage();
      const lovedBefore = counts[loved]!;
      const lovedAfter = shareOf(afterPage, loved);
      const afterCounts = Array.from({ length: CATEGORIES }, (_, c) => shareOf(afterPage, c));
      assert.ok(
        lovedAfter > lovedBefore,
        `category ${loved}: ${lovedBefore} of ${PAGE} before, ${lovedAfter} after (${afterCounts.join(', ')})`,
      );
      assert.equal(lovedAfter, Math.max(...afterCounts), 'the loved category leads the page');
      // The ranking moved, not only the mix: its entries now open the page (the category cap,
      // ceil(12 / 3) = 4, is what keeps the rest of the page diverse).
      const lovedAt = (page: FeedPageWire) =>
        page.items.flatMap((item, i) =>
          catalog.get(item.episodeId)?.category === loved ? [i] : [],
        );
      assert.deepEqual(
        lovedAt(afterPage),
        [0, 1, 2, 3],
        `before: at ${lovedAt(before).join(', ')}`,
      );
    });

    test('pages of a session do not repeat, and a forged cursor is INVALID_CURSOR', async () => {
      const seen = new Set<number>();
      let cursor: string | undefined;
      for (let n = 0; n < 3; n += 1) {
        const response = await feed.page(
          { limit: PAGE, ...(cursor ? { cursor } : {}) },
          viewer.headers,
        );
        assert.equal(response.statusCode, 200, response.body);
        const page = response.json<FeedPageWire>();
        assert.equal(page.items.length, PAGE);
        for (const item of page.items) {
          assert.ok(!seen.has(item.episodeId), `episode ${item.episodeId} repeated on page ${n}`);
          seen.add(item.episodeId);
        }
        cursor = page.next;
      }
      const forged = `${cursor!.slice(0, -3)}${cursor!.endsWith('abc') ? 'xyz' : 'abc'}`;
      assertProblem(await feed.page({ cursor: forged }, viewer.headers), 400, 'INVALID_CURSOR');
      assertProblem(await feed.page({ cursor: cursor! }), 400, 'INVALID_CURSOR');
    });
  });
}

reactsContract('pglite');
reactsContract('postgres');
