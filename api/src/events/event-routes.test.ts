import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { openTestDatabase, type TestDatabase } from '@binge/core/db/testing';
import { createTestSeeder } from '@binge/core/db/test-seed';
import { createLogger } from '@binge/core/log';
import { MAX_WATCH_BATCH } from '@binge/core/protocol/watch-events';
import { decodeStoredEvent } from '@binge/core/watch-events/event-codec';
import {
  createWatchEventPipeline,
  WATCH_EVENTS_GROUP,
  type WatchEventPipeline,
} from '@binge/core/watch-events/pipeline';
import { assertProblem } from '../testing/assert-problem.ts';
import { signInAsGuest } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { eventClient, type EventClient } from './event-client.ts';
import { clientEventId } from '@binge/core/watch-events/test-events';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = createLogger({ level: 'silent' });
const PER_MINUTE = 30;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`POST /api/v1/events on ${kind}${kind === 'postgres' ? ' with Redis' : ''}`, () => {
    let t: TestApp;
    let database: TestDatabase;
    let redis: Redis | undefined;
    let pipeline: WatchEventPipeline;
    let episodeId: number;
    const prefix = `binge-test-${randomBytes(4).toString('hex')}:`;

    before(async () => {
      database = await openTestDatabase(kind);
      if (kind === 'postgres') redis = new Redis(redisUrl);
      pipeline = createWatchEventPipeline(
        { redisUrl: undefined, redisPrefix: prefix, watchEventsPerMinute: PER_MINUTE },
        { db: database.db, redis, logger: quiet },
      );
      await pipeline.stream.ensureGroup(WATCH_EVENTS_GROUP);
      t = await openTestApp(
        kind,
        {
          db: database,
          watchIngester: pipeline.ingester,
          // The request limit's counters live under the prefix too, cleaned up after.
          env: { REDIS_PREFIX: prefix },
          ...(redis ? { redis } : {}),
        },
        { eventLimit: { max: 12, timeWindowMs: 60_000 } },
      );
      const seed = createTestSeeder(database.db);
      episodeId = await seed.episode(await seed.series(), 1, true);
    });

    after(async () => {
      await t.close();
      await pipeline.close();
      if (redis) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      }
      await database.close();
    });

    const event = (extra: Record<string, unknown> = {}) => ({
      id: clientEventId(),
      t: 'heartbeat',
      eid: episodeId,
      pos: 10_000,
      at: Date.now(),
      ...extra,
    });
    const phone = async (): Promise<EventClient> => eventClient(t.app, await signInAsGuest(t.app));
    const stored = async () => {
      const entries = await pipeline.stream.read(WATCH_EVENTS_GROUP, 'test', 1000);
      await pipeline.stream.ack(
        WATCH_EVENTS_GROUP,
        entries.map((e) => e.id),
      );
      return entries.map((e) => {
        const decoded = decodeStoredEvent(e.payload);
        assert.ok(decoded.ok);
        return decoded.event;
      });
    };

    test('a batch is accepted with 202; each bad event is refused on its own', async () => {
      const guest = await signInAsGuest(t.app);
      const client = eventClient(t.app, guest);
      const response = await client.send([
        event({ t: 'start', pos: 0, imp: 'rq_x.0' }),
        event({ t: 'dance' }),
        event({ pos: -5 }),
        event({ pos: 912_000 }),
        event({ at: Date.now() + 3_600_000 }),
        event({ eid: 2_000_000_000 }),
        event(),
      ]);
      assert.equal(response.statusCode, 202, response.body);
      assert.equal(response.headers['cache-control'], 'private, no-store');
      const ack = response.json();
      assert.equal(ack.n, 2);
      assert.deepEqual(
        ack.rej.map((r: { i: number; c: string }) => [r.i, r.c]),
        [
          [1, 'UNKNOWN_TYPE'],
          [2, 'POSITION_OUT_OF_RANGE'],
          [3, 'POSITION_OUT_OF_RANGE'],
          [4, 'CLOCK_SKEW'],
          [5, 'EPISODE_NOT_FOUND'],
        ],
      );
      assert.equal(ack.rej[2].m, "pos: 912000 ms is beyond the episode's 90000 ms");
      const events = await stored();
      assert.equal(events.length, 2);
      assert.ok(events.every((e) => e.userId === guest.user.id && e.source === 'http'));
      assert.equal(events[0]!.impression, 'rq_x.0');
    });

    test('a resend is DUPLICATE and stored once', async () => {
      const client = await phone();
      const batch = [event(), event()];
      assert.equal((await client.send(batch)).json().n, 2);
      const again = (await client.send(batch)).json();
      assert.deepEqual(
        again.rej.map((r: { c: string }) => r.c),
        ['DUPLICATE', 'DUPLICATE'],
      );
      assert.equal((await stored()).length, 2);
    });

    test('a flood from one user is cut at its budget; another user is unaffected', async () => {
      const flooder = await phone();
      const first = (await flooder.send(Array.from({ length: 20 }, () => event()))).json();
      const second = (await flooder.send(Array.from({ length: 20 }, () => event()))).json();
      assert.equal(first.n, 20);
      assert.equal(second.n, PER_MINUTE - 20);
      assert.ok(second.rej.every((r: { c: string }) => r.c === 'RATE_LIMITED'));
      const other = await phone();
      assert.equal((await other.send([event()])).json().n, 1);
      await stored();
    });

    test('a batch that is not a list, empty, too long or not JSON is a 400', async () => {
      const client = await phone();
      for (const body of [{ events: event() }, { events: 'x' }, { events: [] }, {}, [event()]]) {
        assertProblem(await client.post(body), 400, 'VALIDATION_FAILED');
      }
      assertProblem(
        await client.send(Array.from({ length: MAX_WATCH_BATCH + 1 }, () => event())),
        400,
        'VALIDATION_FAILED',
      );
      assertProblem(await client.post('{"events": [', 'application/json'), 400, 'BAD_REQUEST');
      assert.deepEqual(await stored(), []);
    });

    test('anonymous callers and forged tokens are refused before anything is read', async () => {
      assertProblem(await eventClient(t.app, null).send([event()]), 401, 'AUTH_REQUIRED');
      assertProblem(
        await eventClient(t.app, { headers: { authorization: 'Bearer nope' } }).send([event()]),
        401,
        'SESSION_INVALID',
      );
      assert.deepEqual(await stored(), []);
    });

    test('requests past the per-account limit are 429', async () => {
      const client = await phone();
      const statuses: number[] = [];
      for (let i = 0; i < 13; i += 1) statuses.push((await client.send([event()])).statusCode);
      assert.deepEqual(statuses.slice(0, 12), Array(12).fill(202));
      assert.equal(statuses[12], 429);
      await stored();
    });

    test('the route is in the OpenAPI document with its answer', async () => {
      const doc = (await t.app.inject('/docs/json')).json();
      const post = doc.paths['/api/v1/events'].post;
      assert.ok(post.responses['202'].content['application/json'].schema.properties.rej);
      assert.deepEqual(post.security, [{ session: [] }]);
      assert.equal(
        post.requestBody.content['application/json'].schema.properties.events.maxItems,
        MAX_WATCH_BATCH,
      );
    });
  });
}

test('a stream that does not answer turns into TRY_AGAIN in a 202, never a 500', async () => {
  const database = await openTestDatabase('pglite');
  const pipeline = createWatchEventPipeline(
    { redisUrl: undefined, redisPrefix: 'x:', watchEventsPerMinute: 100 },
    { db: database.db, logger: quiet },
  );
  await pipeline.close();
  const t = await openTestApp('pglite', { db: database, watchIngester: pipeline.ingester });
  try {
    const seed = createTestSeeder(database.db);
    const episodeId = await seed.episode(await seed.series(), 1, true);
    const client = eventClient(t.app, await signInAsGuest(t.app));
    const response = await client.send([
      { id: clientEventId(), t: 'start', eid: episodeId, pos: 0, at: Date.now() },
    ]);
    assert.equal(response.statusCode, 202);
    assert.deepEqual(response.json().rej[0].c, 'TRY_AGAIN');
  } finally {
    await t.close();
    await database.close();
  }
});

test('without an injected ingester the app builds its own pipeline and closes it', async () => {
  const t = await openTestApp('pglite');
  try {
    const seed = createTestSeeder(t.db.db);
    const episodeId = await seed.episode(await seed.series(), 1, true);
    const client = eventClient(t.app, await signInAsGuest(t.app));
    const response = await client.send([
      { id: clientEventId(), t: 'start', eid: episodeId, pos: 0, at: Date.now() },
    ]);
    assert.deepEqual(response.json(), { n: 1, rej: [] });
  } finally {
    await t.close();
  }
});
