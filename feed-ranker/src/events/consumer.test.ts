import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import type { Database } from '@binge/core/db';
import { seriesActivityHourly, userFeatures } from '@binge/core/db/schema';
import { openTestDatabase, type TestDatabase } from '@binge/core/db/testing';
import { createTestSeeder } from '@binge/core/db/test-seed';
import { createLogger } from '@binge/core/log';
import type { StoredWatchEvent } from '@binge/core/watch-events/event';
import { encodeStoredEvent } from '@binge/core/watch-events/event-codec';
import { serverEventId } from '@binge/core/watch-events/event-id';
import {
  createWatchEventPipeline,
  WATCH_EVENTS_GROUP,
  type WatchEventPipeline,
} from '@binge/core/watch-events/pipeline';
import type { EventStream } from '@binge/core/watch-events/stream';
import { createRedisStream } from '@binge/core/watch-events/stream-redis';
import { rowsOf } from '../features/sql-params.ts';
import { createEventConsumer, type EventConsumerOptions } from './consumer.ts';
import { dayPartitionName } from './partitions.ts';
import { clientEventId } from '@binge/core/watch-events/test-events';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = createLogger({ level: 'silent' });

/** Polls `probe` until it is true; the loop under test runs on its own. */
async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const paths = [
  { name: 'embedded (PGlite, memory stream)', db: 'pglite', redis: false },
  { name: 'scaled (PostgreSQL, Redis stream)', db: 'postgres', redis: true },
] as const;

for (const path of paths) {
  describe(`event consumer: ${path.name}`, () => {
    let database: TestDatabase;
    let redis: Redis | undefined;
    let pipeline: WatchEventPipeline;
    const prefix = `binge-test-${randomBytes(4).toString('hex')}:`;
    const connections: Redis[] = [];
    let seriesId: number;
    let episodeId: number;
    let users: number[];

    before(async () => {
      database = await openTestDatabase(path.db);
      if (path.redis) redis = new Redis(redisUrl);
      pipeline = createWatchEventPipeline(
        {
          redisUrl: path.redis ? redisUrl : undefined,
          redisPrefix: prefix,
          watchEventsPerMinute: 10_000,
        },
        { db: database.db, redis, logger: quiet },
      );
      await pipeline.stream.ensureGroup(WATCH_EVENTS_GROUP);
      const seed = createTestSeeder(database.db);
      seriesId = await seed.series();
      episodeId = await seed.episode(seriesId, 1, true);
      users = [await seed.user(), await seed.user(), await seed.user()];
    });

    after(async () => {
      await pipeline.close();
      for (const connection of connections) connection.disconnect();
      if (redis) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      }
      await database.close();
    });

    /** The same stream as another process would open it (Redis: its own connection). */
    function otherProcessStream(): EventStream {
      if (!redis) return pipeline.stream;
      const connection = new Redis(redisUrl);
      connections.push(connection);
      return createRedisStream({ redis: connection, key: `${prefix}watch-events` });
    }

    const consumer = (name: string, extra: Partial<EventConsumerOptions> = {}) =>
      createEventConsumer({
        db: database.db,
        stream: pipeline.stream,
        logger: quiet,
        name,
        claimIdleMs: 0,
        ...extra,
      });

    /** Sends a user's plays through the real ingester: start, heartbeats, complete. */
    async function watch(userId: number, heartbeats = 3) {
      const at = Date.now();
      const events = [
        { id: clientEventId(), t: 'start', eid: episodeId, pos: 0, at },
        ...Array.from({ length: heartbeats }, (_, i) => ({
          id: clientEventId(),
          t: 'heartbeat',
          eid: episodeId,
          pos: (i + 1) * 5_000,
          at: at + (i + 1) * 5_000 - 60_000,
        })),
        { id: clientEventId(), t: 'complete', eid: episodeId, pos: 90_000, at },
      ];
      const ack = await pipeline.ingester.ingest(userId, events, 'ws');
      assert.deepEqual(ack.rej, []);
      return events.length;
    }

    const countRows = async (where = sql`true`) =>
      Number(
        (
          await rowsOf<{ n: number }>(
            database.db.execute(sql`select count(*)::int as n from watch_events where ${where}`),
          )
        )[0]!.n,
      );
    const views = async () =>
      (
        await database.db
          .select({ views: seriesActivityHourly.views })
          .from(seriesActivityHourly)
          .where(eq(seriesActivityHourly.seriesId, seriesId))
      ).reduce((sum, row) => sum + row.views, 0);

    test('a batch is stored in its day partition, features and views updated, then acknowledged', async () => {
      const baseRows = await countRows();
      const baseViews = await views();
      const sent = (await watch(users[0]!)) + (await watch(users[1]!));
      const result = await consumer('c-basic').drain();
      assert.deepEqual(result, { entries: sent, stored: sent, dead: 0, failed: 0 });
      assert.equal(await countRows(), baseRows + sent);
      assert.equal(await views(), baseViews + 2);
      const [row] = await rowsOf<{ part: string }>(
        database.db.execute(
          sql`select tableoid::regclass::text as part from watch_events order by received_at desc limit 1`,
        ),
      );
      assert.equal(row!.part, dayPartitionName('watch_events', new Date()));
      // The default hook is the ranker's feature update.
      const [features] = await database.db
        .select()
        .from(userFeatures)
        .where(eq(userFeatures.userId, users[0]!));
      assert.ok(features && features.starts >= 1 && features.events >= 1, JSON.stringify(features));
      assert.equal(await pipeline.stream.pending(WATCH_EVENTS_GROUP), 0);
      assert.equal(await pipeline.stream.length(), 0);
    });

    test('killed before commit: another consumer claims the batch and stores it exactly once', async () => {
      const userId = users[2]!;
      const baseRows = await countRows(sql`user_id = ${userId}`);
      const baseViews = await views();
      const sent = await watch(userId, 5);
      // The first consumer dies inside its transaction (the hook throws, nothing commits).
      const dying = consumer('c-dying', {
        onStored: async () => {
          throw new Error('process killed');
        },
      });
      assert.deepEqual(await dying.drainOnce(), {
        entries: sent,
        stored: 0,
        dead: 0,
        failed: sent,
      });
      assert.equal(await countRows(sql`user_id = ${userId}`), baseRows);
      assert.equal(await pipeline.stream.pending(WATCH_EVENTS_GROUP), sent);
      // A second one, in another process, waits for the entries to go idle and claims them.
      const seen: StoredWatchEvent[] = [];
      const survivor = createEventConsumer({
        db: database.db,
        stream: otherProcessStream(),
        logger: quiet,
        name: 'c-survivor',
        claimIdleMs: 0,
        onStored: async (_tx, events) => {
          seen.push(...events);
        },
      });
      const result = await survivor.drain();
      assert.equal(result.stored, sent);
      assert.equal(await countRows(sql`user_id = ${userId}`), baseRows + sent);
      assert.equal(seen.length, sent);
      assert.equal(await views(), baseViews + 1);
      assert.equal(await pipeline.stream.pending(WATCH_EVENTS_GROUP), 0);
    });

    test('killed between read and commit: the entries a dead consumer holds are claimed', async () => {
      const userId = users[0]!;
      const sent = await watch(userId, 2);
      const held = await pipeline.stream.read(WATCH_EVENTS_GROUP, 'c-killed', 100);
      assert.equal(held.length, sent);
      const baseRows = await countRows();
      // Not idle long enough for a patient consumer…
      assert.equal((await consumer('c-patient', { claimIdleMs: 3_600_000 }).drain()).entries, 0);
      // …but claimed by one whose patience ran out.
      assert.equal((await consumer('c-claimer').drain()).stored, sent);
      assert.equal(await countRows(), baseRows + sent);
    });

    test('killed between commit and ack: the redelivered entries insert and count nothing twice', async () => {
      const userId = users[1]!;
      const sent = await watch(userId, 4);
      const baseRows = await countRows();
      const baseViews = await views();
      const ackless: EventStream = {
        ...pipeline.stream,
        ack: async () => {
          throw new Error('process killed after commit');
        },
      };
      const first = createEventConsumer({
        db: database.db,
        stream: ackless,
        logger: quiet,
        name: 'c-ackless',
        claimIdleMs: 0,
      });
      assert.equal((await first.drainOnce()).stored, sent);
      assert.equal(await pipeline.stream.pending(WATCH_EVENTS_GROUP), sent);
      const seen: StoredWatchEvent[] = [];
      const replay = await consumer('c-replay', {
        onStored: async (_tx, events) => {
          seen.push(...events);
        },
      }).drain();
      assert.deepEqual(replay, { entries: sent, stored: 0, dead: 0, failed: 0 });
      assert.deepEqual(seen, []);
      assert.equal(await countRows(), baseRows + sent);
      assert.equal(await views(), baseViews + 1);
      assert.equal(await pipeline.stream.pending(WATCH_EVENTS_GROUP), 0);

      // The same entries appended again (a producer retry that went through twice) are no news.
      const rows = await rowsOf<{ id: string; received_ms: number }>(
        database.db
          .execute(sql`select id, (extract(epoch from received_at) * 1000)::float8 as received_ms
          from watch_events where user_id = ${userId} order by received_at limit 1`),
      );
      const again: StoredWatchEvent = {
        id: rows[0]!.id,
        clientId: 'replayed-1',
        userId,
        episodeId,
        seriesId,
        type: 'start',
        positionMs: 0,
        durationMs: 90_000,
        fromMs: null,
        rate: null,
        impression: null,
        clientAt: rows[0]!.received_ms,
        receivedAt: rows[0]!.received_ms,
        source: 'ws',
      };
      await pipeline.stream.append([encodeStoredEvent(again), encodeStoredEvent(again)]);
      assert.deepEqual(await consumer('c-replay').drain(), {
        entries: 2,
        stored: 0,
        dead: 0,
        failed: 0,
      });
      assert.equal(await views(), baseViews + 1);
    });

    test('resent after its dedupe mark is gone, an event is accepted again but stored once', async () => {
      const userId = users[1]!;
      // An event of a play an hour ago, queued offline; its ack is lost, so the client resends it.
      const event = {
        id: clientEventId(),
        t: 'pause',
        eid: episodeId,
        pos: 4_000,
        at: Date.now() - 3_600_000,
      };
      assert.deepEqual((await pipeline.ingester.ingest(userId, [event], 'http')).rej, []);
      const base = await countRows(sql`user_id = ${userId}`);
      assert.equal((await consumer('c-resend').drain()).stored, 1);
      // The mark expired, or was lost with the process or Redis: the ingester takes it again.
      await pipeline.dedupe.release([serverEventId(userId, event.id)]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual((await pipeline.ingester.ingest(userId, [event], 'http')).rej, []);
      const again = await consumer('c-resend').drain();
      assert.deepEqual(again, { entries: 1, stored: 0, dead: 0, failed: 0 });
      assert.equal(await countRows(sql`user_id = ${userId}`), base + 1);
      // A different event of the same moment is still stored.
      await pipeline.ingester.ingest(userId, [{ ...event, id: clientEventId() }], 'http');
      assert.equal((await consumer('c-resend').drain()).stored, 1);
    });

    test('copies of one event received at different times are stored once, in one batch or in reverse order', async () => {
      const userId = users[2]!;
      const copy = (receivedAt: number, clientId: string): StoredWatchEvent => ({
        id: serverEventId(userId, clientId),
        clientId,
        userId,
        episodeId,
        seriesId,
        type: 'pause',
        positionMs: 7_000,
        durationMs: 90_000,
        fromMs: null,
        rate: null,
        impression: null,
        clientAt: Date.now() - 7_200_000,
        receivedAt,
        source: 'http',
      });
      const base = await countRows(sql`user_id = ${userId}`);
      // Two copies in one batch: the earlier received is stored, once.
      const a = clientEventId();
      await pipeline.stream.append([
        encodeStoredEvent(copy(Date.now() - 60_000, a)),
        encodeStoredEvent(copy(Date.now() - 120_000, a)),
      ]);
      assert.equal((await consumer('c-copies').drain()).stored, 1);
      // The later copy stored first, the earlier one after it: still once.
      const b = clientEventId();
      await pipeline.stream.append([encodeStoredEvent(copy(Date.now() - 30_000, b))]);
      assert.equal((await consumer('c-copies').drain()).stored, 1);
      await pipeline.stream.append([encodeStoredEvent(copy(Date.now() - 3_600_000, b))]);
      assert.equal((await consumer('c-copies').drain()).stored, 0);
      assert.equal(await countRows(sql`user_id = ${userId}`), base + 2);
    });

    test('an undecodable entry goes to the dead letters; the rest of its batch is stored', async () => {
      const sent = await watch(users[0]!, 1);
      await pipeline.stream.append(['{"v":1,"id":"x"}', 'not json at all']);
      const result = await consumer('c-dead').drain();
      assert.deepEqual(result, { entries: sent + 2, stored: sent, dead: 2, failed: 0 });
      const letters = await pipeline.stream.deadLetters(2);
      assert.deepEqual(
        letters.map((l) => l.payload),
        ['{"v":1,"id":"x"}', 'not json at all'],
      );
      assert.match(letters[0]!.reason, /^not a stored watch event/);
      assert.equal(letters[1]!.reason, 'not JSON');
      assert.equal(await pipeline.stream.pending(WATCH_EVENTS_GROUP), 0);
    });

    test('a poison entry that fails every transaction is isolated after maxDeliveries', async () => {
      const poisoned = users[2]!;
      await watch(users[1]!, 1);
      await watch(poisoned, 0);
      const baseRows = await countRows();
      const picky = consumer('c-picky', {
        maxDeliveries: 2,
        onStored: async (_tx, events) => {
          if (events.some((e) => e.userId === poisoned && e.type === 'complete'))
            throw new Error('constraint violated');
        },
      });
      const first = await picky.drainOnce();
      assert.equal(first.failed, first.entries);
      const second = await picky.drainOnce();
      assert.equal(second.dead, 1);
      assert.equal(second.stored, second.entries - 1);
      assert.equal(await countRows(), baseRows + second.entries - 1);
      assert.match((await pipeline.stream.deadLetters(1))[0]!.reason, /constraint violated/);
      assert.equal(await pipeline.stream.pending(WATCH_EVENTS_GROUP), 0);
    });

    test('the loop stores what arrives while it runs, and stops cleanly', async () => {
      const running = consumer('c-loop', { blockMs: 200, claimIdleMs: 30_000 });
      await running.start();
      const baseRows = await countRows();
      const sent = (await watch(users[0]!, 2)) + (await watch(users[1]!, 2));
      await until(
        'the loop to store the events',
        async () => (await countRows()) === baseRows + sent,
      );
      await running.stop();
      assert.equal(running.stats().stored, sent);
      await until(
        'the acknowledgement',
        async () => (await pipeline.stream.pending(WATCH_EVENTS_GROUP)) === 0,
      );
    });
  });
}

test('a database that is down: the loop backs off without crashing, and nothing is lost', async () => {
  const database = await openTestDatabase('pglite');
  const pipeline = createWatchEventPipeline(
    { redisUrl: undefined, redisPrefix: 'x:', watchEventsPerMinute: 100 },
    { db: database.db, logger: quiet },
  );
  const seed = createTestSeeder(database.db);
  const episodeId = await seed.episode(await seed.series(), 1, true);
  const userId = await seed.user();
  await pipeline.ingester.ingest(
    userId,
    [{ id: clientEventId(), t: 'start', eid: episodeId, pos: 0, at: Date.now() }],
    'http',
  );
  await database.close();
  const looping = createEventConsumer({
    db: database.db as Database,
    stream: pipeline.stream,
    logger: quiet,
    name: 'c-down',
    blockMs: 50,
    claimIdleMs: 0,
    minBackoffMs: 10,
    maxBackoffMs: 40,
  });
  await looping.start();
  await until('a few failed passes', async () => looping.stats().failed >= 3);
  await looping.stop();
  assert.equal(looping.stats().stored, 0);
  assert.ok(looping.stats().lastError);
  assert.equal(await pipeline.stream.pending(WATCH_EVENTS_GROUP), 1);
  await pipeline.close();
});

test('stopping on the in-memory stream stores what is left in it, pending entries included', async () => {
  const database = await openTestDatabase('pglite');
  const pipeline = createWatchEventPipeline(
    { redisUrl: undefined, redisPrefix: 'x:', watchEventsPerMinute: 1000 },
    { db: database.db, logger: quiet },
  );
  try {
    const seed = createTestSeeder(database.db);
    const episodeId = await seed.episode(await seed.series(), 1, true);
    const userId = await seed.user();
    const send = () =>
      pipeline.ingester.ingest(
        userId,
        Array.from({ length: 10 }, (_, i) => ({
          id: clientEventId(),
          t: 'heartbeat',
          eid: episodeId,
          pos: i * 1000,
          at: Date.now(),
        })),
        'ws',
      );
    await send();
    // A read the stopped loop made and never stored: pending for this very consumer.
    await pipeline.stream.ensureGroup(WATCH_EVENTS_GROUP);
    assert.equal((await pipeline.stream.read(WATCH_EVENTS_GROUP, 'c-last', 4)).length, 4);
    const last = createEventConsumer({
      db: database.db,
      stream: pipeline.stream,
      logger: quiet,
      name: 'c-last',
      blockMs: 60_000,
      claimIdleMs: 3_600_000,
      onStored: async () => undefined,
    });
    await last.start();
    await send();
    await last.stop();
    const [row] = await rowsOf<{ n: number }>(
      database.db.execute(sql`select count(*)::int as n from watch_events`),
    );
    assert.equal(Number(row!.n), 20);
    assert.equal(await pipeline.stream.length(), 0);
  } finally {
    await pipeline.close();
    await database.close();
  }
});
