import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { encode } from '@msgpack/msgpack';
import { topics, type NotifyMessage } from '@binge/core/bus';
import type { DatabaseHandle } from '@binge/core/db';
import { openTestDatabase } from '@binge/core/db/testing';
import { createTestSeeder } from '@binge/core/db/test-seed';
import { createSqlRealtimeStore } from '@binge/core/realtime-state/store-sql';
import { decodeServerFrame } from '@binge/core/protocol/realtime/codec';
import { closeCodes, errorCodeName } from '@binge/core/protocol/realtime/codes';
import { FrameType, type ServerFrame } from '@binge/core/protocol/realtime/frames';
import type {
  DmData,
  ProgressData,
  PublicationPayload,
  SubscribedPayload,
} from '@binge/core/protocol/realtime/payloads';
import { connectRaw, type RawClient } from '../testing/raw-client.ts';
import { rtToken, seedWorld, type RealtimeWorld } from '../testing/fixtures.ts';
import { startTestNode, type TestNode } from '../testing/test-node.ts';

/** Every publication a client received on `ch`, unpacking batches, in arrival order. */
function publications(client: RawClient, ch: string): PublicationPayload[] {
  const out: PublicationPayload[] = [];
  for (const frame of client.frames) {
    if (frame.type === FrameType.publication && frame.payload.ch === ch) out.push(frame.payload);
    if (frame.type === FrameType.batch) out.push(...frame.payload.pubs.filter((p) => p.ch === ch));
  }
  return out;
}

async function waitForPubs(client: RawClient, ch: string, n: number, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (publications(client, ch).length < n) {
    if (Date.now() > deadline) {
      throw new Error(
        `expected ${n} publications on ${ch}, got ${publications(client, ch).length}`,
      );
    }
    await sleep(10);
  }
  return publications(client, ch);
}

function assertContiguous(offsets: number[]): void {
  for (let i = 1; i < offsets.length; i += 1) {
    if (offsets[i] !== offsets[i - 1]! + 1) {
      assert.fail(`gap or repeat between ${offsets[i - 1]} and ${offsets[i]}`);
    }
  }
}

async function until(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

function errorName(frame: ServerFrame): string | null {
  return frame.type === FrameType.error ? errorCodeName(frame.payload.c) : null;
}

async function signedIn(url: string, userId: number): Promise<RawClient> {
  const client = await connectRaw(url);
  const welcome = await client.hello(rtToken(userId));
  assert.equal(welcome.type, FrameType.welcome);
  return client;
}

describe('channels', () => {
  let database: DatabaseHandle;
  let world: RealtimeWorld;
  let node: TestNode;

  before(async () => {
    database = await openTestDatabase('pglite');
    world = await seedWorld(database.db, { users: 6 });
    node = await startTestNode({
      db: database.db,
      gateway: { tickMs: 5, lossyTickMs: 5, liveIntervalMs: 100 },
    });
  });
  after(async () => {
    await node.close();
    await database.close();
  });

  test('chat: signed-in fans see each other, with names, in order', async () => {
    const [a, b] = world.users;
    const ch = `chat:${world.seriesId}`;
    const alice = await signedIn(node.url, a!);
    const bob = await signedIn(node.url, b!);
    for (const c of [alice, bob])
      assert.equal((await c.request(FrameType.subscribe, { ch })).type, FrameType.subscribed);
    for (let i = 0; i < 3; i += 1) {
      const ok = await alice.request(FrameType.publish, {
        ch,
        d: { t: `line ${i}`, cmid: `chat-line-${i}` },
      });
      assert.equal(ok.type, FrameType.ok);
    }
    const pubs = await waitForPubs(bob, ch, 3);
    assert.deepEqual(
      pubs.map((p) => (p.d as { t: string }).t),
      ['line 0', 'line 1', 'line 2'],
    );
    assert.deepEqual(
      pubs.map((p) => p.off),
      [1, 2, 3],
    );
    assert.equal((pubs[0]!.d as { name: string }).name, 'Viewer 1');
    const anon = await connectRaw(node.url);
    await anon.hello();
    assert.equal(errorName(await anon.request(FrameType.subscribe, { ch })), 'UNAUTHORIZED');
    for (const c of [alice, bob, anon]) c.close();
  });

  test("DM: stored, delivered to the recipient and the sender's devices, receipts, blocking", async () => {
    const [, , c, d] = world.users;
    const carol = await signedIn(node.url, c!);
    const carolPhone = await signedIn(node.url, c!);
    const dave = await signedIn(node.url, d!);
    assert.equal(
      (await carol.request(FrameType.subscribe, { ch: `dm:${c}` })).type,
      FrameType.subscribed,
    );
    assert.equal(
      (await carolPhone.request(FrameType.subscribe, { ch: `dm:${c}` })).type,
      FrameType.subscribed,
    );
    assert.equal(
      (await dave.request(FrameType.subscribe, { ch: `dm:${d}` })).type,
      FrameType.subscribed,
    );

    const sent = await carol.request(FrameType.publish, {
      ch: `dm:${d}`,
      d: { t: 'hello Dave', cmid: 'dm-hello-01' },
    });
    assert.equal(sent.type, FrameType.ok, JSON.stringify(sent));
    const mid = (sent.payload as { mid: string }).mid;
    const [incoming] = await waitForPubs(dave, `dm:${d}`, 1);
    assert.deepEqual(
      { ...(incoming!.d as DmData), ts: 0 },
      {
        k: 'msg',
        mid,
        from: c,
        to: d,
        t: 'hello Dave',
        ts: 0,
        cmid: 'dm-hello-01',
      },
    );
    // The sender's other device sees what was sent.
    await waitForPubs(carolPhone, `dm:${c}`, 1);

    // Dave reads it: Carol gets a read receipt.
    assert.equal(
      (await dave.request(FrameType.ack, { ch: `dm:${d}`, mid, k: 2 })).type,
      FrameType.ok,
    );
    const carolPubs = await waitForPubs(carol, `dm:${c}`, 2);
    assert.deepEqual(
      { ...(carolPubs[1]!.d as DmData), ts: 0 },
      { k: 'rcpt', mid, by: d, r: 2, ts: 0 },
    );
    // Acking someone else's message, or a message that is not to you, is NOT_FOUND.
    assert.equal(
      errorName(await carol.request(FrameType.ack, { ch: `dm:${c}`, mid, k: 2 })),
      'NOT_FOUND',
    );

    // Dave blocks Carol: her next DM is refused and not stored.
    const store = createSqlRealtimeStore(database.db);
    await store.block(d!, c!);
    const blocked = await carol.request(FrameType.publish, {
      ch: `dm:${d}`,
      d: { t: 'hey?', cmid: 'dm-hello-02' },
    });
    assert.equal(errorName(blocked), 'BLOCKED');
    assert.equal((await store.recentDms(d!, 10)).length, 1);
    // A retry of the accepted message stays idempotent.
    const retry = await carol.request(FrameType.publish, {
      ch: `dm:${d}`,
      d: { t: 'hello Dave', cmid: 'dm-hello-01' },
    });
    assert.equal((retry.payload as { dup?: boolean; mid: string }).dup, true);
    assert.equal((retry.payload as { mid: string }).mid, mid);
    // Sending to yourself is refused by the channel rules.
    assert.equal(
      errorName(
        await carol.request(FrameType.publish, {
          ch: `dm:${c}`,
          d: { t: 'me', cmid: 'dm-self-001' },
        }),
      ),
      'PERMISSION_DENIED',
    );
    for (const x of [carol, carolPhone, dave]) x.close();
  });

  test('progress: two devices with out-of-order stamps converge; a stale write never rewinds', async () => {
    const e = world.users[4]!;
    const ep = world.episodeIds[0]!;
    const ch = `progress:${e}`;
    const phone = await signedIn(node.url, e);
    const tv = await signedIn(node.url, e);
    for (const c of [phone, tv])
      assert.equal((await c.request(FrameType.subscribe, { ch })).type, FrameType.subscribed);
    const t = Date.now();
    const newer = {
      eid: ep,
      pos: 90_000,
      dur: 120_000,
      hlc: { wallMs: t, counter: 0, node: 'tv' },
    };
    const older = {
      eid: ep,
      pos: 10_000,
      dur: 120_000,
      hlc: { wallMs: t - 5000, counter: 3, node: 'phone' },
    };
    const first = await tv.request(FrameType.publish, { ch, d: newer });
    assert.equal(first.type, FrameType.ok);
    assert.ok((first.payload as { off?: number }).off);
    // The phone was offline and syncs an older position: it loses and nothing rewinds.
    const late = await phone.request(FrameType.publish, { ch, d: older });
    assert.deepEqual(late.payload, { stale: true });
    const seen = await waitForPubs(phone, ch, 1);
    assert.deepEqual(
      seen.map((p) => (p.d as ProgressData).pos),
      [90_000],
    );
    const store = createSqlRealtimeStore(database.db);
    const [record] = await store.progressOf(e, 10);
    assert.equal(record!.posMs, 90_000);
    // A stamp from far in the future is refused (HLC drift bound).
    const future = await phone.request(FrameType.publish, {
      ch,
      d: { ...older, hlc: { wallMs: t + 3_600_000, counter: 0, node: 'phone' } },
    });
    assert.equal(errorName(future), 'INVALID_PAYLOAD');
    phone.close();
    tv.close();
  });

  test('recovery: a reconnecting client gets exactly what it missed, or refetch', async () => {
    const [, b, , , , a] = world.users;
    const ch = `chat:${world.seriesId}`;
    const writer = await signedIn(node.url, a!);
    const reader = await signedIn(node.url, b!);
    const sub = await reader.request(FrameType.subscribe, { ch });
    const position = sub.payload as SubscribedPayload;
    reader.terminate();
    const offs: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const ok = await writer.request(FrameType.publish, {
        ch,
        d: { t: `missed ${i}`, cmid: `missed-msg-${i}` },
      });
      offs.push((ok.payload as { off: number }).off);
    }
    const back = await signedIn(node.url, b!);
    const recovered = await back.request(FrameType.subscribe, {
      ch,
      rc: { ep: position.ep, off: position.off },
    });
    const payload = recovered.payload as SubscribedPayload;
    assert.equal(payload.rc, 1);
    assert.deepEqual(
      payload.pubs?.map((p) => p.off),
      offs,
    );
    assert.equal(payload.off, offs.at(-1));
    const stale = await back.request(FrameType.subscribe, {
      ch: `chat:${world.seriesId}`,
      rc: { ep: position.ep, off: 0 },
    });
    assert.equal(errorName(stale), 'ALREADY_SUBSCRIBED');
    const other = await signedIn(node.url, b!);
    const refetch = await other.request(FrameType.subscribe, {
      ch,
      rc: { ep: 'gone-epoch', off: 3 },
    });
    assert.equal((refetch.payload as SubscribedPayload).rc, 2);
    for (const c of [writer, back, other]) c.close();
  });

  test('live counters: viewers and danmu rate pushed about once a second', async () => {
    const ep = world.episodeIds[1]!;
    const watcher = await connectRaw(node.url);
    await watcher.hello();
    await watcher.request(FrameType.subscribe, { ch: `danmu:${ep}` });
    assert.equal(
      (await watcher.request(FrameType.subscribe, { ch: `live:${ep}` })).type,
      FrameType.subscribed,
    );
    const sender = await signedIn(node.url, world.users[5]!);
    await sender.request(FrameType.publish, {
      ch: `danmu:${ep}`,
      d: { t: 'wow', pos: 1, mode: 0, col: '#ffffff', size: 1, cmid: 'live-danmu-1' },
    });
    const deadline = Date.now() + 8000;
    let last: { vn: number; dps: number } | undefined;
    while (Date.now() < deadline) {
      const pubs = publications(watcher, `live:${ep}`);
      last = pubs.at(-1)?.d as { vn: number; dps: number } | undefined;
      if (last !== undefined && last.vn >= 1 && last.dps > 0) break;
      await sleep(50);
    }
    assert.ok(last !== undefined && last.vn >= 1 && last.dps > 0, JSON.stringify(last));
    watcher.close();
    sender.close();
  });

  test("live:creator is the creator's own studio feed", async () => {
    const creator = await signedIn(node.url, world.creatorId);
    const reply = await creator.request(FrameType.subscribe, {
      ch: `live:creator:${world.creatorId}`,
    });
    assert.equal(reply.type, FrameType.subscribed);
    await waitForPubs(creator, `live:creator:${world.creatorId}`, 1, 5000);
    creator.close();
  });

  test('notifications published on the bus reach the user once', async () => {
    const u = world.users[3]!;
    const client = await signedIn(node.url, u);
    await client.request(FrameType.subscribe, { ch: `notify:${u}` });
    const message: NotifyMessage = {
      id: 'n-42',
      userId: u,
      kind: 'episode.new',
      text: 'Episode 3 is out',
      url: '/series/1',
    };
    await node.bus.publish(topics.notify, message);
    await node.bus.publish(topics.notify, message);
    const pubs = await waitForPubs(client, `notify:${u}`, 1);
    await sleep(100);
    assert.equal(publications(client, `notify:${u}`).length, 1);
    assert.equal((pubs[0]!.d as { t: string }).t, 'Episode 3 is out');
    client.close();
  });

  test('feed pages come on request with impression tokens and a cursor, endlessly', async () => {
    const seed = createTestSeeder(database.db);
    const playable = await seed.episode(await seed.series(), 1, true);
    const client = await connectRaw(node.url);
    await client.hello();
    let cur: string | undefined;
    for (let n = 0; n < 3; n += 1) {
      const page = await client.request(FrameType.feed, { lim: 1, ...(cur ? { cur } : {}) });
      assert.equal(page.type, FrameType.feedPage);
      if (page.type !== FrameType.feedPage) return;
      // One playable episode: the endless feed shows it again on every page.
      assert.deepEqual(
        page.payload.items.map((item) => item.eid),
        [playable],
      );
      assert.match(page.payload.items[0]!.imp ?? '', /^[A-Za-z0-9_-]{1,40}\.0$/);
      assert.ok(page.payload.next, 'every page has a next');
      cur = page.payload.next;
    }
    const bad = await client.request(FrameType.feed, { cur: 'not-ours' });
    assert.equal(errorName(bad), 'INVALID_PAYLOAD');
    // A cursor of an anonymous session is not a signed-in viewer's.
    const viewer = await signedIn(node.url, world.users[4]!);
    const foreign = await viewer.request(FrameType.feed, { cur: cur! });
    assert.equal(errorName(foreign), 'INVALID_PAYLOAD');
    client.close();
    viewer.close();
  });

  test('token refresh extends the session; without it the connection closes with 4003', async () => {
    const u = world.users[0]!;
    const client = await connectRaw(node.url);
    await client.hello(rtToken(u, { ttlMs: 1500 }));
    const refreshed = await client.request(FrameType.refresh, { tk: rtToken(u, { ttlMs: 2500 }) });
    assert.equal(refreshed.type, FrameType.ok);
    const other = await client.request(FrameType.refresh, { tk: rtToken(world.users[1]!) });
    assert.equal(errorName(other), 'TOKEN_INVALID');
    assert.equal((await client.closed).code, closeCodes.AUTH_INVALID.code);

    const lapsing = await connectRaw(node.url);
    await lapsing.hello(rtToken(u, { ttlMs: 1200 }));
    assert.equal((await lapsing.closed).code, closeCodes.AUTH_EXPIRED.code);
  });
});

describe('backpressure', () => {
  let database: DatabaseHandle;
  let world: RealtimeWorld;
  let node: TestNode;

  before(async () => {
    database = await openTestDatabase('pglite');
    world = await seedWorld(database.db, { users: 2 });
    node = await startTestNode({
      db: database.db,
      // No per-tick danmu cap here: the thinning under test is uWS skipping a full socket.
      gateway: { tickMs: 5, maxBackpressure: 64 * 1024, maxDanmuPerTick: 1_000_000 },
    });
  });
  after(async () => {
    await node.close();
    await database.close();
  });

  test('a client that stops reading is closed with 4001 on a reliable channel, never silently skipped', async () => {
    const u = world.users[0]!;
    const ch = `notify:${u}`;
    // A raw socket whose reads are paused: the server's send buffer fills.
    const slow = new WebSocket(node.url);
    await new Promise((resolve) => slow.once('open', resolve));
    const closed = new Promise<number>((resolve) => slow.once('close', (code) => resolve(code)));
    slow.send(encode([FrameType.hello, 1, { v: 1, tk: rtToken(u) }]));
    slow.send(encode([FrameType.subscribe, 2, { ch }]));
    await sleep(200);
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    // Kernel socket buffers absorb a few MB on loopback before uWS sees backpressure: publish
    // until the gateway gives up on the client (about 4 MB here).
    const text = 'x'.repeat(270);
    for (let i = 0; i < 100_000 && node.node.gateway.stats().slowClosed === 0; i += 1) {
      await node.bus.publish(topics.notify, {
        id: `bp-${i}`,
        userId: u,
        kind: 'test',
        text,
      } satisfies NotifyMessage);
      if (i % 200 === 0) await sleep(1);
    }
    assert.equal(node.node.gateway.stats().slowClosed, 1);
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    // What was buffered arrives first, then the documented close: the client recovers on reconnect.
    assert.equal(await closed, closeCodes.SLOW_CONSUMER.code);
  });

  test('a slow danmu viewer is thinned, not closed; a reading viewer gets everything', async () => {
    const ep = world.episodeIds[0]!;
    const ch = `danmu:${ep}`;
    const slow = new WebSocket(node.url);
    await new Promise((resolve) => slow.once('open', resolve));
    const offsets: number[] = [];
    slow.on('message', (data: Buffer) => {
      const frame = decodeServerFrame(new Uint8Array(data));
      if (!frame.ok) return;
      if (frame.frame.type === FrameType.publication) offsets.push(frame.frame.payload.off!);
      if (frame.frame.type === FrameType.batch)
        offsets.push(...frame.frame.payload.pubs.map((p) => p.off!));
    });
    slow.send(encode([FrameType.hello, 1, { v: 1 }]));
    slow.send(encode([FrameType.subscribe, 2, { ch }]));
    const reader = await connectRaw(node.url);
    await reader.hello();
    await reader.request(FrameType.subscribe, { ch });
    await sleep(200);
    const socket = (slow as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    // Straight into the broker: the flood is the fan-out's problem here, not the rate limits'.
    const total = 30_000;
    for (let i = 0; i < total; i += 1) {
      const d = {
        mid: String(i + 1),
        uid: world.users[1]!,
        t: 'd'.repeat(80),
        pos: i,
        mode: 0,
        col: '#ffffff',
        size: 1,
      };
      await node.node.broker.publish(ch, encode(d));
      if (i % 500 === 0) await sleep(2);
    }
    await waitForPubs(reader, ch, total, 30_000);
    socket.resume();
    await sleep(500);
    const last = (await node.node.broker.history.position(ch)).offset;
    const tail = {
      mid: 'tail',
      uid: world.users[1]!,
      t: 'tail',
      pos: 1,
      mode: 0,
      col: '#ffffff',
      size: 1,
    };
    await node.node.broker.publish(ch, encode(tail));
    await until(() => offsets.includes(last + 1));
    assert.equal(slow.readyState, WebSocket.OPEN, 'the slow viewer is still connected');
    assert.ok(offsets.length < total, `thinned: ${offsets.length} of ${total} delivered`);
    for (let i = 1; i < offsets.length; i += 1)
      assert.ok(offsets[i]! > offsets[i - 1]!, 'in order');
    // The reading viewer got every one, in order, the tail included.
    const all = publications(reader, ch).map((p) => p.off!);
    assertContiguous(all);
    assert.equal(all.at(-1), last + 1);
    assert.equal(
      node.node.gateway.stats().slowClosed,
      1,
      'only the notify client of the test before',
    );
    slow.close();
    reader.close();
  });
});
