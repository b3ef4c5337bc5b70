import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encode } from '@msgpack/msgpack';
import type { DatabaseHandle } from '@binge/core/db';
import { openTestDatabase } from '@binge/core/db/testing';
import { closeCodes, errorCodes } from '@binge/core/protocol/realtime/codes';
import { createLogger } from '@binge/core/log';
import { createSqlRealtimeStore } from '@binge/core/realtime-state/store-sql';
import { createSqlSessionStore } from '@binge/core/accounts/session-store-sql';
import type { Broker } from '../broker/broker.ts';
import { createMemoryBroker } from '../broker/broker-memory.ts';
import { createMemoryLiveCounters } from '../live/live-counters-memory.ts';
import { createMemoryRateLimiter } from '../limits/rate-limiter-memory.ts';
import { createGateway } from './gateway.ts';
import { FrameType, type ServerFrame } from '@binge/core/protocol/realtime/frames';
import { connectRaw } from '../testing/raw-client.ts';
import { createSessionAuth } from '../auth/session-auth.ts';
import { rtToken, seedWorld, TEST_AUTH_SECRET, type RealtimeWorld } from '../testing/fixtures.ts';
import { startTestNode, type TestNode } from '../testing/test-node.ts';
import { createKeywordFilter } from '@binge/core/moderation/text-filter';
import { createFeedCursorCodec } from '@binge/core/feed/feed-cursor';
import { createHotFeed } from '@binge/core/feed/feed-fallback';

const danmu = (t: string, cmid: string, pos = 1000) => ({
  t,
  pos,
  mode: 0,
  col: '#FFFFFF',
  size: 1,
  cmid,
});

function payloadOf<T>(frame: ServerFrame): T {
  return frame.payload as T;
}

describe('gateway on the embedded adapters', () => {
  let database: DatabaseHandle;
  let world: RealtimeWorld;
  let node: TestNode;
  const hotFeed = () =>
    createHotFeed({
      store: createSqlRealtimeStore(database.db),
      cursors: createFeedCursorCodec(TEST_AUTH_SECRET),
    });

  before(async () => {
    database = await openTestDatabase('pglite');
    world = await seedWorld(database.db);
    node = await startTestNode({ db: database.db, gateway: { tickMs: 5, lossyTickMs: 5 } });
  });
  after(async () => {
    await node.close();
    await database.close();
  });

  test('hello, subscribe, publish a danmu and see it fan out to another viewer', async () => {
    const [alice] = world.users;
    const ep = world.episodeIds[0]!;
    const viewer = await connectRaw(node.url);
    const welcome = await viewer.hello();
    assert.equal(welcome.type, FrameType.welcome);
    assert.equal(payloadOf<{ uid: number | null }>(welcome).uid, null);
    const sub = await viewer.request(FrameType.subscribe, { ch: `danmu:${ep}` });
    assert.equal(sub.type, FrameType.subscribed);

    const sender = await connectRaw(node.url);
    assert.equal(payloadOf<{ uid: number }>(await sender.hello(rtToken(alice!))).uid, alice);
    const ok = await sender.request(FrameType.publish, {
      ch: `danmu:${ep}`,
      d: danmu('好看！', 'cmid-0001'),
    });
    assert.equal(ok.type, FrameType.ok, JSON.stringify(ok));
    const { off, mid } = payloadOf<{ off: number; mid: string }>(ok);
    assert.ok(off >= 1);
    const pub = await viewer.next((f) => f.type === FrameType.publication);
    assert.deepEqual(pub.payload, {
      ch: `danmu:${ep}`,
      off,
      d: {
        mid,
        uid: alice,
        t: '好看！',
        pos: 1000,
        mode: 0,
        col: '#ffffff',
        size: 1,
        cmid: 'cmid-0001',
      },
    });

    // A retry of the same cmid is idempotent.
    const again = await sender.request(FrameType.publish, {
      ch: `danmu:${ep}`,
      d: danmu('好看！', 'cmid-0001'),
    });
    assert.deepEqual(again.payload, { off, mid, dup: true });

    // History by video time replays it.
    const history = await viewer.request(FrameType.history, {
      ch: `danmu:${ep}`,
      from: 0,
      to: 5000,
    });
    assert.equal(history.type, FrameType.historyResult);
    assert.equal(payloadOf<{ pubs: unknown[] }>(history).pubs.length, 1);
    viewer.close();
    sender.close();
  });

  test("anonymous viewers cannot publish; private channels are their owner's", async () => {
    const [alice, bob] = world.users;
    const anon = await connectRaw(node.url);
    await anon.hello();
    const denied = await anon.request(FrameType.publish, {
      ch: `danmu:${world.episodeIds[0]}`,
      d: danmu('hi', 'cmid-0002'),
    });
    assert.equal(payloadOf<{ c: number }>(denied).c, errorCodes.UNAUTHORIZED.code);
    const client = await connectRaw(node.url);
    await client.hello(rtToken(alice!));
    for (const ch of [`dm:${bob}`, `progress:${bob}`, `notify:${bob}`]) {
      const reply = await client.request(FrameType.subscribe, { ch });
      assert.equal(payloadOf<{ c: number }>(reply).c, errorCodes.PERMISSION_DENIED.code, ch);
    }
    anon.close();
    client.close();
  });

  test('garbage gets error frames and the process survives', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    client.sendBytes(new Uint8Array([0xc1, 0x00, 0xff]));
    const bad = await client.next((f) => f.type === FrameType.error);
    assert.equal(payloadOf<{ c: number }>(bad).c, errorCodes.BAD_FRAME.code);
    client.sendBytes(encode([1, 1]));
    client.close();
    const after = await connectRaw(node.url);
    assert.equal((await after.hello()).type, FrameType.welcome);
    after.close();
  });

  test('the keyword filter hook masks before storage and fan-out', async () => {
    const filtered = await startTestNode({
      db: database.db,
      nodeId: 'filtered',
      gateway: { tickMs: 5, lossyTickMs: 5 },
      textFilter: createKeywordFilter({ words: ['spoiler'], mode: 'mask' }),
    });
    try {
      const ep = world.episodeIds[1]!;
      const sender = await connectRaw(filtered.url);
      await sender.hello(rtToken(world.users[2]!));
      await sender.request(FrameType.subscribe, { ch: `danmu:${ep}` });
      const ok = await sender.request(FrameType.publish, {
        ch: `danmu:${ep}`,
        d: danmu('huge Spoiler ahead', 'cmid-mask-01'),
      });
      assert.equal(ok.type, FrameType.ok);
      const pub = await sender.next((f) => f.type === FrameType.publication);
      assert.equal(payloadOf<{ d: { t: string } }>(pub).d.t, 'huge ******* ahead');
      sender.close();
    } finally {
      await filtered.close();
    }
  });

  test('a subscribe the broker cannot serve closes with TRY_AGAIN; the next one follows afresh', async () => {
    // Fault injection around the real memory broker: its first follow fails, as a Redis
    // subscribe does when the server stays unreachable.
    const real = createMemoryBroker({ capacity: 100, ttlSeconds: 60 });
    let failures = 1;
    const broker: Broker = {
      ...real,
      kind: real.kind,
      history: real.history,
      follow: async (channel, handler) => {
        if (failures-- > 0) throw new Error('broker unreachable');
        return real.follow(channel, handler);
      },
    };
    const gateway = createGateway({
      broker,
      store: createSqlRealtimeStore(database.db),
      limiter: createMemoryRateLimiter(),
      liveCounters: createMemoryLiveCounters(),
      auth: createSessionAuth({
        authSecret: TEST_AUTH_SECRET,
        sessions: createSqlSessionStore(database.db),
      }),
      logger: createLogger({ level: 'silent', name: 'try-again' }),
      nodeId: 'try-again',
      creatorEpisodes: async () => [],
      feed: hotFeed(),
    });
    const port = await gateway.listen('127.0.0.1', 0);
    try {
      const url = `ws://127.0.0.1:${port}/ws`;
      const first = await connectRaw(url);
      await first.hello();
      const reply = await first.request(FrameType.subscribe, {
        ch: `danmu:${world.episodeIds[0]}`,
      });
      assert.equal(payloadOf<{ c: number }>(reply).c, errorCodes.INTERNAL.code);
      assert.equal((await first.closed).code, closeCodes.TRY_AGAIN.code);
      const second = await connectRaw(url);
      await second.hello();
      const ok = await second.request(FrameType.subscribe, { ch: `danmu:${world.episodeIds[0]}` });
      assert.equal(ok.type, FrameType.subscribed);
      second.close();
    } finally {
      await gateway.close();
      await real.close();
    }
  });

  test('a retry after a restart is answered from storage, not broadcast again', async () => {
    // Two gateway lives on one database, each with its own memory broker (a restart): the second
    // one's clock is 6 minutes on, past the republish window.
    let clock = Date.now();
    const start = async (nodeId: string) => {
      const broker = createMemoryBroker({ capacity: 100, ttlSeconds: 3600 });
      const gateway = createGateway({
        broker,
        store: createSqlRealtimeStore(database.db),
        limiter: createMemoryRateLimiter(),
        liveCounters: createMemoryLiveCounters(),
        auth: createSessionAuth({
          authSecret: TEST_AUTH_SECRET,
          sessions: createSqlSessionStore(database.db),
        }),
        logger: createLogger({ level: 'silent', name: nodeId }),
        nodeId,
        creatorEpisodes: async () => [],
        feed: hotFeed(),
        now: () => clock,
      });
      const port = await gateway.listen('127.0.0.1', 0);
      return { gateway, broker, url: `ws://127.0.0.1:${port}/ws` };
    };
    const ch = `danmu:${world.episodeIds[1]}`;
    const send = danmu('once only', 'cmid-restart-1');
    const first = await start('life-1');
    const sender = await connectRaw(first.url);
    await sender.hello(rtToken(world.users[1]!, { nowMs: clock }));
    const ok = await sender.request(FrameType.publish, { ch, d: send });
    const { mid } = payloadOf<{ mid: string }>(ok);
    sender.close();
    await first.gateway.close();
    await first.broker.close();

    clock += 6 * 60_000;
    const second = await start('life-2');
    try {
      const viewer = await connectRaw(second.url);
      await viewer.hello();
      await viewer.request(FrameType.subscribe, { ch });
      const retry = await connectRaw(second.url);
      await retry.hello(rtToken(world.users[1]!, { nowMs: clock }));
      const again = await retry.request(FrameType.publish, { ch, d: send });
      assert.deepEqual(again.payload, { mid, dup: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(viewer.frames.filter((f) => f.type === FrameType.publication).length, 0);
      viewer.close();
      retry.close();
    } finally {
      await second.gateway.close();
      await second.broker.close();
    }
  });
});
