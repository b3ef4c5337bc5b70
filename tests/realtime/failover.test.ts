import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { openTestDatabase, type TestDatabase } from '@binge/core/db/testing';
import { FrameType } from '@binge/core/protocol/realtime/frames';
import type {
  ProgressData,
  PublicationPayload,
  SubscribedPayload,
} from '@binge/core/protocol/realtime/payloads';
import {
  createRealtimeClient,
  type RealtimeClient,
} from '@binge/core/protocol/realtime-client/client';
import { connectRaw, type RawClient } from '../../realtime/src/testing/raw-client.ts';
import {
  rtToken,
  seedWorld,
  TEST_AUTH_SECRET,
  type RealtimeWorld,
} from '../../realtime/src/testing/fixtures.ts';
import { startGatewayProcess, startRedis, type Child } from '../support/processes.ts';
import { startTcpBalancer, type TcpBalancer } from '../support/tcp-balancer.ts';

/**
 * Issue 3's failure tests: several gateway processes sharing one PostgreSQL and one real Redis
 * (a private redis-server, so it can be killed and restarted without touching anything else).
 */
type Gateway = Child & { port: number; url: string };

function gatewayEnv(databaseUrl: string, redisUrl: string, nodeId: string) {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    AUTH_SECRET: TEST_AUTH_SECRET,
    NODE_ID: nodeId,
    DATA_DIR: `/tmp/binge-failover-${nodeId}-${randomBytes(3).toString('hex')}`,
    DEMO_SEED: 'false',
  };
}

function pubs(client: RawClient, ch: string): PublicationPayload[] {
  const out: PublicationPayload[] = [];
  for (const frame of client.frames) {
    if (frame.type === FrameType.publication && frame.payload.ch === ch) out.push(frame.payload);
    if (frame.type === FrameType.batch) out.push(...frame.payload.pubs.filter((p) => p.ch === ch));
  }
  return out;
}

async function until<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}

function typedClient(url: string, userId: number, device: string): RealtimeClient {
  return createRealtimeClient({
    url,
    WebSocket: WebSocket as never,
    getToken: async () => rtToken(userId),
    hlcNode: device,
    syncProgress: false,
    backoff: { minDelayMs: 50, maxDelayMs: 500, restartSpreadMs: 200 },
    onProtocolError: (report) => {
      throw new Error(`protocol error: ${report.code} ${report.message}`);
    },
  });
}

/** Offsets 1..n exactly, in order: nothing missing, nothing twice. */
function assertGapless(offsets: number[], from: number, to: number, who: string) {
  assert.deepEqual(
    offsets,
    Array.from({ length: to - from + 1 }, (_, i) => from + i),
    `${who} got every publication once, in order`,
  );
}

describe('realtime failover (several gateway processes, real Redis)', () => {
  let database: TestDatabase;
  let world: RealtimeWorld;
  let redis: Child & { port: number; url: string };
  const nodes: Gateway[] = [];

  before(async () => {
    database = await openTestDatabase('postgres');
    world = await seedWorld(database.db, { users: 6 });
    redis = await startRedis();
    // One at a time into the list, so `after` stops every node that did start if one fails.
    for (const id of ['node-a', 'node-b', 'node-c']) {
      nodes.push(await startGatewayProcess(gatewayEnv(database.url!, redis.url, id)));
    }
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis?.stop();
    await database?.close();
  });

  test('a message published on node A reaches a subscriber on node B', async () => {
    const [a, b] = nodes;
    const ch = `chat:${world.seriesId}`;
    const reader = await connectRaw(b!.url);
    await reader.hello(rtToken(world.users[1]!));
    assert.equal((await reader.request(FrameType.subscribe, { ch })).type, FrameType.subscribed);
    const writer = await connectRaw(a!.url);
    await writer.hello(rtToken(world.users[0]!));
    const ok = await writer.request(FrameType.publish, {
      ch,
      d: { t: 'across nodes', cmid: 'across-0001' },
    });
    assert.equal(ok.type, FrameType.ok);
    const [pub] = await until('the publication on node B', () => {
      const list = pubs(reader, ch);
      return list.length > 0 ? list : undefined;
    });
    assert.equal((pub!.d as { t: string }).t, 'across nodes');
    assert.equal(pub!.off, (ok.payload as { off: number }).off);
    reader.close();
    writer.close();
  });

  test('killing a node mid-stream: its clients move to another node and recover without gaps or duplicates', async () => {
    // Node C is the victim; clients reach the nodes through a balancer, as behind an edge proxy.
    const victim = nodes[2]!;
    const survivor = nodes[1]!;
    let balancer: TcpBalancer | null = null;
    const clients: RealtimeClient[] = [];
    try {
      balancer = await startTcpBalancer([victim.port, survivor.port]);
      const ch = `chat:${world.seriesId}`;
      const received: number[][] = [];
      let reconnected = 0;
      let firstOffset = 0;
      for (let i = 0; i < 4; i += 1) {
        const client = typedClient(balancer.url, world.users[2 + (i % 2)]!, `dev-kill-${i}`);
        clients.push(client);
        const offsets: number[] = [];
        received.push(offsets);
        client.subscribe(ch, (_data, meta) => offsets.push(meta.off!));
        client.on('open', (session) => {
          if (session.reconnected) reconnected += 1;
        });
        await client.connect();
      }
      await until('every client subscribed', () => clients.every((c) => c.state === 'open'));
      await sleep(200);

      // Two writers on the survivor keep publishing while the victim dies (alternating, to stay
      // under the chat limit of 1/s per user).
      const writers: RawClient[] = [];
      for (const userId of [world.users[4]!, world.users[5]!]) {
        const writer = await connectRaw(survivor.url);
        await writer.hello(rtToken(userId));
        writers.push(writer);
      }
      const sent: number[] = [];
      for (let i = 0; i < 40; i += 1) {
        const ok = await writers[i % 2]!.request(FrameType.publish, {
          ch,
          d: { t: `stream ${i}`, cmid: `kill-stream-${i}-${randomBytes(3).toString('hex')}` },
        });
        assert.equal(ok.type, FrameType.ok, JSON.stringify(ok));
        sent.push((ok.payload as { off: number }).off);
        if (i === 0) firstOffset = sent[0]!;
        if (i === 15) victim.process.kill('SIGKILL');
        await sleep(600);
      }
      for (const writer of writers) writer.close();
      await until(
        'everyone caught up',
        () => received.every((r) => r.length > 0 && r.at(-1)! >= sent.at(-1)!),
        20_000,
      );
      for (const [i, offsets] of received.entries()) {
        const from = offsets.findIndex((o) => o === firstOffset);
        assert.ok(from >= 0, `client ${i} saw the first publication`);
        assertGapless(offsets.slice(from), firstOffset, sent.at(-1)!, `client ${i}`);
      }
      // The balancer put half the clients on the victim: they reconnected to the survivor.
      assert.ok(reconnected >= 2, `clients of the killed node reconnected (${reconnected})`);
    } finally {
      for (const client of clients) client.close();
      await balancer?.close();
    }
  });

  test('restarting Redis: clients recover or are told to refetch, never silently lose', async () => {
    const [a, b] = nodes;
    const ch = `chat:${world.seriesId}`;
    const clients: RealtimeClient[] = [];
    const received: string[][] = [];
    const refetched: boolean[] = [];
    const tag = randomBytes(3).toString('hex');
    try {
      for (const [i, node] of [a!, b!, a!, b!].entries()) {
        const client = typedClient(node.url, world.users[i % 2]!, `dev-redis-${i}`);
        clients.push(client);
        const labels: string[] = [];
        received.push(labels);
        refetched.push(false);
        const subscription = client.subscribe(ch, (data) => labels.push((data as { t: string }).t));
        subscription.on('refetch', () => (refetched[i] = true));
        await client.connect();
      }
      await until('subscribed', () => clients.every((c) => c.state === 'open'));
      const writer = await connectRaw(a!.url);
      await writer.hello(rtToken(world.users[5]!));
      const publish = async (label: string) => {
        for (let attempt = 0; attempt < 60; attempt += 1) {
          const ok = await writer.request(FrameType.publish, { ch, d: { t: label, cmid: label } });
          if (ok.type === FrameType.ok) return;
          await sleep(250); // Redis down: INTERNAL; the retry keeps its cmid (stored once)
        }
        throw new Error(`could not publish ${label}`);
      };
      const labels = [`before-${tag}`, `after1-${tag}`, `after2-${tag}`];
      await publish(labels[0]!);
      await until('the first publication everywhere', () =>
        received.every((r) => r.includes(labels[0]!)),
      );

      await redis.stop('SIGKILL');
      // A client arriving while Redis is down still ends up on the stream: served from the node's
      // relay, or (when a backend call fails) closed with TRY_AGAIN (4005) and back with backoff.
      const late = typedClient(b!.url, world.users[2]!, 'dev-redis-late');
      clients.push(late);
      const lateLabels: string[] = [];
      late.subscribe(ch, (data) => lateLabels.push((data as { t: string }).t));
      await late.connect();
      redis = await startRedis(redis.port);
      await publish(labels[1]!);
      await publish(labels[2]!);
      writer.close();

      await until(
        'every client sees the stream after the restart',
        () => received.every((r) => r.includes(labels[2]!)),
        30_000,
      );
      for (const [i, got] of received.entries()) {
        const ours = got.filter((t) => t.endsWith(tag));
        // Never silent loss: either every publication arrived, in order, or the client was told
        // to reload (refetch) and then continued in order.
        if (!refetched[i])
          assert.deepEqual(ours, labels, `client ${i} without refetch got everything`);
        else assert.deepEqual(ours.slice(-1), [labels[2]!], `client ${i} continued after refetch`);
      }
      assert.ok(refetched.some(Boolean), 'Redis lost its history: clients were told to refetch');
    } finally {
      for (const client of clients) client.close();
    }
  });

  test('two devices writing progress with out-of-order stamps converge everywhere', async () => {
    const [a, b] = nodes;
    const userId = world.users[0]!;
    const episodeId = world.episodeIds[0]!;
    const ch = `progress:${userId}`;
    const phone = await connectRaw(a!.url);
    const tv = await connectRaw(b!.url);
    for (const device of [phone, tv]) {
      await device.hello(rtToken(userId));
      assert.equal((await device.request(FrameType.subscribe, { ch })).type, FrameType.subscribed);
    }
    const base = Date.now();
    const writes = [
      { device: tv, stamp: { wallMs: base + 30, counter: 0, node: 'tv' }, pos: 30_000 },
      { device: phone, stamp: { wallMs: base + 10, counter: 0, node: 'phone' }, pos: 10_000 },
      { device: phone, stamp: { wallMs: base + 40, counter: 1, node: 'phone' }, pos: 40_000 },
      { device: tv, stamp: { wallMs: base + 40, counter: 0, node: 'tv' }, pos: 35_000 },
      { device: tv, stamp: { wallMs: base + 20, counter: 5, node: 'tv' }, pos: 20_000 },
    ];
    await Promise.all(
      writes.map(({ device, stamp, pos }) =>
        device.request(FrameType.publish, {
          ch,
          d: { eid: episodeId, pos, dur: 120_000, hlc: stamp },
        }),
      ),
    );
    // The winner is the highest stamp: (base+40, 1, phone).
    for (const device of [phone, tv]) {
      await until('the winner reaches the device', () => {
        const last = pubs(device, ch).at(-1)?.d as ProgressData | undefined;
        return last?.pos === 40_000 ? last : undefined;
      });
      const all = pubs(device, ch).map((p) => p.d as ProgressData);
      // Positions only move to higher stamps: the sequence of published winners never rewinds.
      for (let i = 1; i < all.length; i += 1) {
        const [x, y] = [all[i - 1]!.hlc, all[i]!.hlc];
        assert.ok(
          x.wallMs < y.wallMs || (x.wallMs === y.wallMs && x.counter < y.counter),
          'stamps increase',
        );
      }
    }
    // A third device subscribing fresh on another node reads the same winner via recovery.
    const laptop = await connectRaw(nodes[0]!.url);
    await laptop.hello(rtToken(userId));
    const sub = (await laptop.request(FrameType.subscribe, { ch, rc: { ep: 'x', off: 0 } }))
      .payload as SubscribedPayload;
    assert.equal(sub.rc, 2, 'a foreign position refetches');
    for (const c of [phone, tv, laptop]) c.close();
  });
});
