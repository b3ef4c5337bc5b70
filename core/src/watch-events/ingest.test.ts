import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { openTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { createTestSeeder } from '../db/test-seed.ts';
import { episodes } from '../db/schema.ts';
import { createLogger } from '../log/logger.ts';
import {
  MAX_CLOCK_AHEAD_MS,
  MAX_EVENT_AGE_MS,
  MAX_WATCH_BATCH,
  WATCH_EVENT_TYPES,
} from '../protocol/watch-events.ts';
import { createMemoryDedupe } from './dedupe-memory.ts';
import { createRedisDedupe } from './dedupe-redis.ts';
import { createEpisodeCache } from './episode-cache.ts';
import { createEventBudget } from './event-budget.ts';
import { decodeStoredEvent } from './event-codec.ts';
import { serverEventId } from './event-id.ts';
import { createWatchIngester, WatchBatchError } from './ingest.ts';
import {
  createWatchEventPipeline,
  WATCH_EVENTS_GROUP,
  type WatchEventPipeline,
} from './pipeline.ts';
import { sqlPlayableEpisodes } from './playable-episodes-sql.ts';
import type { EventStream } from './stream.ts';
import { createMemoryStream } from './stream-memory.ts';
import { createRedisStream } from './stream-redis.ts';
import { clientEventId } from './test-events.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = createLogger({ level: 'silent' });
const PER_MINUTE = 40;

async function drained(stream: EventStream) {
  const entries = await stream.read(WATCH_EVENTS_GROUP, 'test', 1000);
  await stream.ack(
    WATCH_EVENTS_GROUP,
    entries.map((e) => e.id),
  );
  return entries.map((e) => {
    const decoded = decodeStoredEvent(e.payload);
    assert.ok(decoded.ok);
    return decoded.event;
  });
}

const paths = [
  { name: 'embedded (PGlite, memory stream)', db: 'pglite', redis: false },
  { name: 'scaled (PostgreSQL, Redis stream)', db: 'postgres', redis: true },
] as const;

for (const path of paths) {
  describe(`watch ingester: ${path.name}`, () => {
    let database: TestDatabase;
    let redis: Redis | undefined;
    let pipeline: WatchEventPipeline;
    const prefix = `binge-test-${randomBytes(4).toString('hex')}:`;
    let episodeId: number;
    let seriesId: number;
    let unknownDuration: number;
    let notReady: number;
    let unpublished: number;

    before(async () => {
      database = await openTestDatabase(path.db);
      if (path.redis) redis = new Redis(redisUrl);
      pipeline = createWatchEventPipeline(
        {
          redisUrl: path.redis ? redisUrl : undefined,
          redisPrefix: prefix,
          watchEventsPerMinute: PER_MINUTE,
        },
        { db: database.db, redis, logger: quiet },
      );
      await pipeline.stream.ensureGroup(WATCH_EVENTS_GROUP);
      const seed = createTestSeeder(database.db);
      seriesId = await seed.series();
      episodeId = await seed.episode(seriesId, 1, true);
      unknownDuration = await seed.episode(seriesId, 2, true);
      await database.db
        .update(episodes)
        .set({ durationMs: 0 })
        .where(eq(episodes.id, unknownDuration));
      notReady = await seed.episode(seriesId, 3, false);
      unpublished = await seed.episode(await seed.series({ status: 'draft' }), 1, true);
    });

    after(async () => {
      await pipeline.close();
      if (redis) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      }
      await database.close();
    });

    let user = 1000;
    const nextUser = () => ++user;
    const event = (extra: Record<string, unknown> = {}) => ({
      id: clientEventId(),
      t: 'heartbeat',
      eid: episodeId,
      pos: 5_000,
      at: Date.now(),
      ...extra,
    });

    test('every kind of event is accepted, stamped and appended with its server id', async () => {
      const userId = nextUser();
      const batch = WATCH_EVENT_TYPES.map((t) =>
        event({
          t,
          ...(t === 'seek' ? { from: 1_000 } : {}),
          ...(t === 'speed' ? { rate: 1.5 } : {}),
          ...(t === 'start' ? { imp: 'rq_abc.3' } : {}),
        }),
      );
      // A clock a minute ahead is tolerated, and clamped to the server's receipt.
      batch[0]!.at = Date.now() + 60_000;
      const before = Date.now();
      const ack = await pipeline.ingester.ingest(userId, batch, 'ws');
      assert.deepEqual(ack, { n: batch.length, rej: [] });
      const stored = await drained(pipeline.stream);
      assert.equal(stored.length, batch.length);
      const start = stored[0]!;
      assert.equal(start.id, serverEventId(userId, batch[0]!.id as string));
      assert.equal(start.clientId, batch[0]!.id);
      assert.deepEqual(
        stored.map((s) => s.type),
        [...WATCH_EVENT_TYPES],
      );
      assert.equal(start.seriesId, seriesId);
      assert.equal(start.durationMs, 90_000);
      assert.equal(start.impression, 'rq_abc.3');
      assert.equal(start.source, 'ws');
      assert.ok(start.receivedAt >= before && start.receivedAt <= Date.now());
      assert.equal(start.clientAt, start.receivedAt);
      const seek = stored.find((s) => s.type === 'seek')!;
      assert.equal(seek.fromMs, 1_000);
      assert.equal(stored.find((s) => s.type === 'speed')!.rate, 1.5);
    });

    test('unknown type, negative position and a bad shape are refused; the rest of the batch goes in', async () => {
      const ack = await pipeline.ingester.ingest(
        nextUser(),
        [
          event({ t: 'dance' }),
          event(),
          event({ pos: -1 }),
          event({ t: 'seek', pos: 10, from: -5 }),
          event({ eid: 'one' }),
          'not an event',
          event({ t: 'seek' }),
        ],
        'http',
      );
      assert.equal(ack.n, 1);
      assert.deepEqual(
        ack.rej.map((r) => [r.i, r.c]),
        [
          [0, 'UNKNOWN_TYPE'],
          [2, 'POSITION_OUT_OF_RANGE'],
          [3, 'POSITION_OUT_OF_RANGE'],
          [4, 'INVALID_EVENT'],
          [5, 'INVALID_EVENT'],
          [6, 'INVALID_EVENT'],
        ],
      );
      assert.match(ack.rej[0]!.m, /dance/);
      assert.match(ack.rej[1]!.m, /^pos: -1/);
      assert.equal((await drained(pipeline.stream)).length, 1);
    });

    test('positions beyond the episode are refused, within the slack accepted; an unknown duration bounds nothing', async () => {
      const ack = await pipeline.ingester.ingest(
        nextUser(),
        [
          event({ pos: 912_000 }),
          event({ pos: 91_500 }),
          event({ t: 'seek', pos: 0, from: 95_000 }),
          event({ eid: unknownDuration, pos: 3_600_000 }),
        ],
        'ws',
      );
      assert.equal(ack.n, 2);
      assert.deepEqual(ack.rej, [
        { i: 0, c: 'POSITION_OUT_OF_RANGE', m: "pos: 912000 ms is beyond the episode's 90000 ms" },
        { i: 2, c: 'POSITION_OUT_OF_RANGE', m: "from: 95000 ms is beyond the episode's 90000 ms" },
      ]);
      await drained(pipeline.stream);
    });

    test('a clock far in the future is CLOCK_SKEW, an event too old TOO_OLD', async () => {
      const now = Date.now();
      const ack = await pipeline.ingester.ingest(
        nextUser(),
        [
          event({ at: now + MAX_CLOCK_AHEAD_MS + 60_000 }),
          event({ at: now - MAX_EVENT_AGE_MS - 60_000 }),
          event({ at: now - MAX_EVENT_AGE_MS + 60_000 }),
        ],
        'ws',
      );
      assert.equal(ack.n, 1);
      assert.deepEqual(
        ack.rej.map((r) => r.c),
        ['CLOCK_SKEW', 'TOO_OLD'],
      );
      assert.match(ack.rej[0]!.m, /ahead of the server clock/);
      assert.match(ack.rej[1]!.m, /7 days ago/);
      const [old] = await drained(pipeline.stream);
      assert.equal(old!.clientAt, now - MAX_EVENT_AGE_MS + 60_000);
    });

    test('episodes that are unknown, not ready or in an unpublished series are EPISODE_NOT_FOUND', async () => {
      const ack = await pipeline.ingester.ingest(
        nextUser(),
        [event({ eid: 2_000_000_000 }), event({ eid: notReady }), event({ eid: unpublished })],
        'ws',
      );
      assert.deepEqual(ack, {
        n: 0,
        rej: [
          { i: 0, c: 'EPISODE_NOT_FOUND', m: 'eid: no playable episode 2000000000' },
          { i: 1, c: 'EPISODE_NOT_FOUND', m: `eid: no playable episode ${notReady}` },
          { i: 2, c: 'EPISODE_NOT_FOUND', m: `eid: no playable episode ${unpublished}` },
        ],
      });
    });

    test('a duplicate in the same batch and a resend are stored once', async () => {
      const userId = nextUser();
      const first = event();
      const ack = await pipeline.ingester.ingest(userId, [first, { ...first }, event()], 'ws');
      assert.equal(ack.n, 2);
      assert.deepEqual(
        ack.rej.map((r) => [r.i, r.c]),
        [[1, 'DUPLICATE']],
      );
      const resend = await pipeline.ingester.ingest(userId, [first], 'http');
      assert.deepEqual(
        resend.rej.map((r) => r.c),
        ['DUPLICATE'],
      );
      // The same client id from another user is another event.
      assert.equal((await pipeline.ingester.ingest(nextUser(), [first], 'ws')).n, 1);
      const stored = await drained(pipeline.stream);
      assert.equal(stored.length, 3);
      assert.equal(stored.filter((s) => s.clientId === first.id).length, 2);
    });

    test('a flood from one user is cut at its budget; another user is unaffected', async () => {
      const flooder = nextUser();
      const batch = () => Array.from({ length: 25 }, () => event());
      const a = await pipeline.ingester.ingest(flooder, batch(), 'ws');
      const b = await pipeline.ingester.ingest(flooder, batch(), 'ws');
      const c = await pipeline.ingester.ingest(flooder, batch(), 'ws');
      assert.equal(a.n, 25);
      assert.equal(b.n, PER_MINUTE - 25);
      assert.equal(b.rej.length, 50 - PER_MINUTE);
      assert.ok(b.rej.every((r) => r.c === 'RATE_LIMITED' && r.i >= PER_MINUTE - 25));
      assert.match(b.rej[0]!.m, new RegExp(`budget of ${PER_MINUTE} events a minute`));
      assert.equal(c.n, 0);
      assert.equal(c.rej.length, 25);
      const other = await pipeline.ingester.ingest(nextUser(), batch(), 'ws');
      assert.equal(other.n, 25);
      assert.equal((await drained(pipeline.stream)).length, PER_MINUTE + 25);
    });

    test('a stream that does not answer: TRY_AGAIN, and the resend is accepted, not a duplicate', async () => {
      const dedupe = redis
        ? createRedisDedupe(redis, { prefix: `${prefix}down-seen:` })
        : createMemoryDedupe();
      // Nothing listens on port 1: every command fails at once.
      const down = new Redis({
        port: 1,
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      down.on('error', () => undefined);
      const broken = redis
        ? createRedisStream({ redis: down, key: `${prefix}down` })
        : createMemoryStream();
      if (!redis) await broken.close();
      const ingesterOver = (stream: EventStream) =>
        createWatchIngester({
          episodes: createEpisodeCache({ lookup: sqlPlayableEpisodes(database.db) }),
          budget: createEventBudget({ perMinute: PER_MINUTE, redis, prefix: `${prefix}down:` }),
          dedupe,
          stream,
          logger: quiet,
        });
      const userId = nextUser();
      const batch = [event(), event({ t: 'dance' }), event()];
      const refused = await ingesterOver(broken).ingest(userId, batch, 'ws');
      assert.deepEqual(refused, {
        n: 0,
        rej: [
          { i: 0, c: 'TRY_AGAIN', m: 'the event store did not answer; resend later' },
          { i: 1, c: 'UNKNOWN_TYPE', m: refused.rej[1]!.m },
          { i: 2, c: 'TRY_AGAIN', m: 'the event store did not answer; resend later' },
        ],
      });
      const working = createMemoryStream();
      const ack = await ingesterOver(working).ingest(userId, [batch[0], batch[2]], 'ws');
      assert.deepEqual(ack, { n: 2, rej: [] });
      assert.equal(await working.length(), 2);
      down.disconnect();
    });

    test('a full stream (its consumers behind): TRY_AGAIN, and the resend goes in once there is room', async () => {
      const full = createMemoryStream({ cap: 2 });
      await full.ensureGroup('g');
      await full.append(['x', 'y']);
      const ingester = createWatchIngester({
        episodes: createEpisodeCache({ lookup: sqlPlayableEpisodes(database.db) }),
        budget: createEventBudget({ perMinute: PER_MINUTE, redis, prefix: `${prefix}full:` }),
        dedupe: createMemoryDedupe(),
        stream: full,
        logger: quiet,
      });
      const userId = nextUser();
      const one = event();
      assert.deepEqual(await ingester.ingest(userId, [one], 'http'), {
        n: 0,
        rej: [
          {
            i: 0,
            c: 'TRY_AGAIN',
            m: 'the event store is full (its consumers are behind); resend later',
          },
        ],
      });
      // The consumer stores what it holds; the client's resend is accepted, not a duplicate.
      const held = await full.read('g', 'c', 10);
      await full.ack(
        'g',
        held.map((e) => e.id),
      );
      assert.deepEqual(await ingester.ingest(userId, [one], 'http'), { n: 1, rej: [] });
      await full.close();
    });

    test('a batch the transports should have refused is a WatchBatchError', async () => {
      const userId = nextUser();
      await assert.rejects(pipeline.ingester.ingest(userId, [], 'ws'), WatchBatchError);
      await assert.rejects(
        pipeline.ingester.ingest(
          userId,
          Array.from({ length: MAX_WATCH_BATCH + 1 }, () => event()),
          'ws',
        ),
        WatchBatchError,
      );
      await assert.rejects(
        pipeline.ingester.ingest(userId, { length: 1 } as unknown as unknown[], 'ws'),
        WatchBatchError,
      );
    });
  });
}

test('a database that does not answer: TRY_AGAIN for the events that needed it', async () => {
  const database = await openTestDatabase('pglite');
  const seed = createTestSeeder(database.db);
  const episodeId = await seed.episode(await seed.series(), 1, true);
  const stream = createMemoryStream();
  const ingester = createWatchIngester({
    episodes: createEpisodeCache({ lookup: sqlPlayableEpisodes(database.db) }),
    budget: createEventBudget({ perMinute: 100, prefix: 'x:' }),
    dedupe: createMemoryDedupe(),
    stream,
    logger: quiet,
  });
  await database.close();
  const ack = await ingester.ingest(
    7,
    [{ id: clientEventId(), t: 'start', eid: episodeId, pos: 0, at: Date.now() }, { t: 'x' }],
    'http',
  );
  assert.deepEqual(
    ack.rej.map((r) => r.c),
    ['TRY_AGAIN', 'UNKNOWN_TYPE'],
  );
  assert.equal(await stream.length(), 0);
});
