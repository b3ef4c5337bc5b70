import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { inArray, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import type { DatabaseHandle } from '@binge/core/db';
import { episodes } from '@binge/core/db/schema';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLogger } from '@binge/core/log';
import { errorCodeName } from '@binge/core/protocol/realtime/codes';
import { FrameType, type ServerFrame } from '@binge/core/protocol/realtime/frames';
import { MAX_WATCH_BATCH } from '@binge/core/protocol/watch-events';
import { decodeStoredEvent } from '@binge/core/watch-events/event-codec';
import {
  createWatchEventPipeline,
  WATCH_EVENTS_GROUP,
  type WatchEventPipeline,
} from '@binge/core/watch-events/pipeline';
import { connectRaw } from '../testing/raw-client.ts';
import { rtToken, seedWorld, type RealtimeWorld } from '../testing/fixtures.ts';
import { startTestNode, type TestNode } from '../testing/test-node.ts';
import { clientEventId } from '@binge/core/watch-events/test-events';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = createLogger({ level: 'silent' });

const errorName = (frame: ServerFrame) =>
  frame.type === FrameType.error ? errorCodeName(frame.payload.c) : null;

for (const path of [
  { name: 'memory adapters on PGlite', db: 'pglite', redis: false },
  { name: 'Redis on PostgreSQL', db: 'postgres', redis: true },
] as const) {
  describe(`watch frames: ${path.name}`, () => {
    let database: DatabaseHandle;
    let world: RealtimeWorld;
    let node: TestNode;
    let redis: Redis | undefined;
    let pipeline: WatchEventPipeline;
    const prefix = `binge-test-${randomBytes(4).toString('hex')}:`;

    before(async () => {
      database = await openTestDatabase(path.db);
      world = await seedWorld(database.db, { users: 2, episodes: 1 });
      await database.db
        .update(episodes)
        .set({ status: 'ready' })
        .where(inArray(episodes.id, world.episodeIds));
      if (path.redis) redis = new Redis(redisUrl);
      pipeline = createWatchEventPipeline(
        { redisUrl: undefined, redisPrefix: prefix, watchEventsPerMinute: 1000 },
        { db: database.db, redis, logger: quiet },
      );
      await pipeline.stream.ensureGroup(WATCH_EVENTS_GROUP);
      node = await startTestNode({
        db: database.db,
        watchIngester: pipeline.ingester,
        ...(path.redis ? { redisUrl, redisPrefix: prefix } : {}),
      });
    });

    after(async () => {
      await node.close();
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
      eid: world.episodeIds[0]!,
      pos: 30_000,
      at: Date.now(),
      ...extra,
    });

    test('a signed-in viewer’s batch is answered by a watchAck with its rid', async () => {
      const userId = world.users[0]!;
      const client = await connectRaw(node.url);
      await client.hello(rtToken(userId));
      const reply = await client.request(FrameType.watch, {
        ev: [
          event({ t: 'start', pos: 0 }),
          event({ t: 'rewind' }),
          event({ pos: 500_000 }),
          event(),
        ],
      });
      assert.equal(reply.type, FrameType.watchAck);
      assert.ok(reply.rid > 0);
      if (reply.type !== FrameType.watchAck) return;
      assert.equal(reply.payload.n, 2);
      assert.deepEqual(
        reply.payload.rej.map((r) => [r.i, r.c]),
        [
          [1, 'UNKNOWN_TYPE'],
          [2, 'POSITION_OUT_OF_RANGE'],
        ],
      );
      const entries = await pipeline.stream.read(WATCH_EVENTS_GROUP, 'test', 100);
      await pipeline.stream.ack(
        WATCH_EVENTS_GROUP,
        entries.map((e) => e.id),
      );
      const stored = entries.map((e) => decodeStoredEvent(e.payload));
      assert.equal(stored.length, 2);
      for (const decoded of stored) {
        assert.ok(decoded.ok);
        assert.equal(decoded.event.userId, userId);
        assert.equal(decoded.event.source, 'ws');
        assert.equal(decoded.event.seriesId, world.seriesId);
      }
      client.close();
    });

    test('an anonymous viewer is UNAUTHORIZED and stays connected', async () => {
      const client = await connectRaw(node.url);
      await client.hello();
      const reply = await client.request(FrameType.watch, { ev: [event()] });
      assert.equal(errorName(reply), 'UNAUTHORIZED');
      assert.equal((await client.request(FrameType.ping, {})).type, FrameType.pong);
      assert.equal(await pipeline.stream.length(), 0);
      client.close();
    });

    test('an empty or oversized batch fails the frame schema', async () => {
      const client = await connectRaw(node.url);
      await client.hello(rtToken(world.users[1]!));
      assert.equal(errorName(await client.request(FrameType.watch, { ev: [] })), 'INVALID_PAYLOAD');
      const big = Array.from({ length: MAX_WATCH_BATCH + 1 }, () => ({ t: 'x' }));
      assert.equal(
        errorName(await client.request(FrameType.watch, { ev: big })),
        'INVALID_PAYLOAD',
      );
      assert.equal(
        errorName(await client.request(FrameType.watch, { ev: 'x' })),
        'INVALID_PAYLOAD',
      );
      client.close();
    });
  });
}

test('a node without an injected ingester builds its own and stores through it', async () => {
  const database = await openTestDatabase('pglite');
  const world = await seedWorld(database.db, { users: 1, episodes: 1 });
  await database.db.execute(sql`update episodes set status = 'ready'`);
  const node = await startTestNode({ db: database.db });
  try {
    const client = await connectRaw(node.url);
    await client.hello(rtToken(world.users[0]!));
    const reply = await client.request(FrameType.watch, {
      ev: [{ id: clientEventId(), t: 'start', eid: world.episodeIds[0], pos: 0, at: Date.now() }],
    });
    assert.equal(reply.type, FrameType.watchAck);
    if (reply.type === FrameType.watchAck) assert.deepEqual(reply.payload, { n: 1, rej: [] });
    client.close();
  } finally {
    await node.close();
    await database.close();
  }
});
