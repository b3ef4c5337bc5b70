import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { FrameType } from '../realtime/frames.ts';
import type { ChatData, DanmuData, ProgressData } from '../realtime/payloads.ts';
import {
  createRealtimeClient,
  type ProtocolErrorReport,
  type RealtimeClient,
  type RealtimeClientEvents,
  type RealtimeClientOptions,
} from './client.ts';
import { startFakeGateway, type FakeConnection, type FakeGateway } from './fake-gateway.ts';
import { RealtimeError } from './realtime-error.ts';
import { platformTimers, type Timers } from './timers.ts';

// Fixtures ------------------------------------------------------------------------------------

function danmu(n: number): DanmuData {
  return { mid: `d${n}`, uid: 3, t: `danmu ${n}`, pos: n * 100, mode: 0, col: '#ffffff', size: 1 };
}

function chat(n: number): ChatData {
  return { mid: `c${n}`, uid: 3, name: 'Ann', t: `chat ${n}`, ts: 1_700_000_000_000 + n };
}

const danmuSend = { t: 'so good', pos: 1_500, mode: 0, col: '#FF0000', size: 1 } as const;

/** Timers the test advances by hand, with the clock they share: time moves only when told. */
function manualClock(start = 1_700_000_000_000) {
  let time = start;
  let nextId = 0;
  const due = new Map<number, { at: number; callback: () => void }>();
  const timers: Timers = {
    setTimeout(callback, ms) {
      nextId += 1;
      due.set(nextId, { at: time + ms, callback });
      return nextId;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
  };
  return {
    timers,
    now: () => time,
    get pending() {
      return due.size;
    },
    /** Moves the clock forward, firing every timer that falls due on the way, in order. */
    advance(ms: number) {
      const end = time + ms;
      for (;;) {
        let next: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of due)
          if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
        if (next === undefined) break;
        due.delete(next[0]);
        time = next[1].at;
        next[1].callback();
      }
      time = end;
    },
  };
}

/** The platform's timers, counting the ones still pending. */
function trackedTimers() {
  const live = new Set<unknown>();
  const timers: Timers = {
    setTimeout(callback, ms) {
      const handle = platformTimers.setTimeout(() => {
        live.delete(handle);
        callback();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      platformTimers.clearTimeout(handle);
    },
  };
  return { timers, live };
}

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
}

interface Harness {
  gateway: FakeGateway;
  client: RealtimeClient;
  protocolErrors: ProtocolErrorReport[];
  events: Array<{ name: keyof RealtimeClientEvents; event: unknown }>;
  tokenCalls: () => number;
  /** Every frame the client sent was valid, and every server frame it got was usable. */
  assertClean(): void;
}

async function harness(
  t: TestContext,
  options: Partial<RealtimeClientOptions> & { tokens?: Array<string | null> } = {},
): Promise<Harness> {
  const { tokens = ['tok-1'], ...overrides } = options;
  const gateway = await startFakeGateway(overrides.now === undefined ? {} : { now: overrides.now });
  let calls = 0;
  const protocolErrors: ProtocolErrorReport[] = [];
  const client = createRealtimeClient({
    url: gateway.url,
    WebSocket,
    getToken: async () => tokens[Math.min(calls++, tokens.length - 1)] ?? null,
    hlcNode: 'device-a',
    userAgent: 'binge-test/1',
    random: () => 0,
    backoff: { minDelayMs: 10, maxDelayMs: 40, restartSpreadMs: 20 },
    onProtocolError: (report) => protocolErrors.push(report),
    ...overrides,
  });
  const events: Harness['events'] = [];
  for (const name of [
    'open',
    'close',
    'closed',
    'error',
    'refetch',
    'progress',
    'progressStale',
  ] as const) {
    client.on(name, (event) => events.push({ name, event }));
  }
  t.after(async () => {
    client.close();
    await gateway.stop();
  });
  return {
    gateway,
    client,
    protocolErrors,
    events,
    tokenCalls: () => calls,
    assertClean() {
      for (const connection of gateway.connections) assert.deepEqual(connection.invalid, []);
      assert.deepEqual(protocolErrors, []);
    },
  };
}

/** Resolves with the next `name` event of the client. */
function once<K extends keyof RealtimeClientEvents>(
  client: RealtimeClient,
  name: K,
): Promise<RealtimeClientEvents[K]> {
  return new Promise((resolve) => {
    const off = client.on(name, (event) => {
      off();
      resolve(event);
    });
  });
}

/**
 * A feed request answered by the gateway: the socket is ordered, so once its reply is through,
 * every frame the gateway sent before it has been handled by the client.
 */
async function roundTrip(client: RealtimeClient, connection: FakeConnection): Promise<void> {
  const page = client.feed();
  const request = await connection.next(FrameType.feed);
  connection.reply(request, FrameType.feedPage, { items: [] });
  await page;
}

/** Answers the next subscribe of `ch` with a fresh subscription at (ep, off). */
async function acceptFresh(connection: FakeConnection, ch: string, ep = 'e1', off = 0) {
  const request = await connection.next(FrameType.subscribe);
  assert.equal(request.payload.ch, ch);
  connection.reply(request, FrameType.subscribed, { ch, ep, off, rc: 0 });
  return request;
}

// Session -------------------------------------------------------------------------------------

test('hello carries the version, token and user agent; welcome opens the session', async (t) => {
  const h = await harness(t);
  const opened = once(h.client, 'open');
  const session = await h.client.connect();
  const connection = await h.gateway.nextConnection();
  assert.deepEqual(connection.hello, { v: 1, tk: 'tok-1', ua: 'binge-test/1' });
  assert.deepEqual(session, {
    uid: 7,
    cid: 'c1',
    exp: 0,
    pingIntervalMs: 600_000,
    maxFrameBytes: 16_384,
  });
  assert.equal((await opened).reconnected, false);
  assert.equal(h.client.state, 'open');
  assert.deepEqual(await h.client.connect(), session, 'connect() again joins the open session');
  h.assertClean();
});

test('without a token the hello is anonymous', async (t) => {
  const h = await harness(t, { tokens: [null] });
  h.gateway.answerHello = () => ({ welcome: { uid: null } });
  const session = await h.client.connect();
  const connection = await h.gateway.nextConnection();
  assert.deepEqual(connection.hello, { v: 1, ua: 'binge-test/1' });
  assert.equal(session.uid, null);
  // Anonymous: no progress channel to subscribe to.
  await roundTrip(h.client, connection);
  assert.deepEqual(connection.pending(), []);
  h.assertClean();
});

// Requests ------------------------------------------------------------------------------------

test('replies are matched to requests by rid, in whatever order they come', async (t) => {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const first = h.client.history('danmu:5', 0, 60_000, 10);
  const page = h.client.feed('cursor1', 20);
  const second = h.client.history('danmu:5', 60_000, 120_000);
  const r1 = await connection.next(FrameType.history);
  const r2 = await connection.next(FrameType.feed);
  const r3 = await connection.next(FrameType.history);
  assert.deepEqual(r1.payload, { ch: 'danmu:5', from: 0, to: 60_000, lim: 10 });
  assert.deepEqual(r2.payload, { cur: 'cursor1', lim: 20 });
  assert.equal(new Set([r1.rid, r2.rid, r3.rid]).size, 3);

  connection.reply(r3, FrameType.historyResult, {
    ch: 'danmu:5',
    pubs: [{ d: danmu(9) }],
    more: false,
  });
  connection.reply(r2, FrameType.feedPage, { items: [{ eid: 1, sid: 2 }], next: 'cursor2' });
  connection.reply(r1, FrameType.historyResult, { ch: 'danmu:5', pubs: [], more: true });
  assert.deepEqual(await first, { ch: 'danmu:5', pubs: [], more: true });
  assert.deepEqual(await page, { items: [{ eid: 1, sid: 2 }], next: 'cursor2' });
  assert.deepEqual(await second, { ch: 'danmu:5', pubs: [{ d: danmu(9) }], more: false });
  h.assertClean();
});

test('watch sends a batch, answers the ack, and refuses a malformed batch before sending', async (t) => {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const event = { id: 'evt-00000001', t: 'start' as const, eid: 3, pos: 0, at: 1_000 };
  const acked = h.client.watch([event]);
  const request = await connection.next(FrameType.watch);
  assert.deepEqual(request.payload, { ev: [event] });
  connection.reply(request, FrameType.watchAck, { n: 1, rej: [] });
  assert.deepEqual(await acked, { n: 1, rej: [] });
  await assert.rejects(h.client.watch([]), (error: unknown) => {
    assert.ok(error instanceof RealtimeError);
    assert.equal(error.kind, 'invalid');
    return true;
  });
  h.assertClean();
});

test('error replies reject with a typed error carrying the protocol code', async (t) => {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();

  const dm = h.client.publish('dm:9', { t: 'hi there' });
  const request = await connection.next(FrameType.publish);
  connection.reply(request, FrameType.error, { c: 120, m: 'blocked', ch: 'dm:9' });
  await assert.rejects(dm, (error: unknown) => {
    assert.ok(error instanceof RealtimeError);
    assert.equal(error.kind, 'server');
    assert.equal(error.code, 120);
    assert.equal(error.codeName, 'BLOCKED');
    assert.equal(error.ch, 'dm:9');
    return true;
  });

  // A code this build does not know reads as INTERNAL and keeps its number.
  const page = h.client.feed();
  connection.reply(await connection.next(FrameType.feed), FrameType.error, { c: 999, m: 'new' });
  await assert.rejects(page, { kind: 'server', code: 999, codeName: 'INTERNAL' });

  // The gateway's own checks run before sending: refused at once, nothing sent.
  await assert.rejects(h.client.publish('danmu:5', { ...danmuSend, t: '<b>bold</b>' }), {
    kind: 'invalid',
    codeName: 'TEXT_REJECTED',
  });
  await assert.rejects(h.client.history('danmu:5', 0, 700_000), {
    kind: 'invalid',
    codeName: 'INVALID_PAYLOAD',
  });
  await assert.rejects(h.client.publish('feed' as 'dm:1', { t: 'x' }), {
    codeName: 'NOT_AVAILABLE',
  });
  assert.throws(() => h.client.subscribe('danmu:007', () => {}), { codeName: 'UNKNOWN_CHANNEL' });

  // A reply of the wrong type fails the request and is reported.
  const ack = h.client.ack('m5', 2);
  const ackRequest = await connection.next(FrameType.ack);
  assert.deepEqual(ackRequest.payload, { ch: 'dm:7', mid: 'm5', k: 2 });
  connection.reply(ackRequest, FrameType.pong, { ts: 1 });
  await assert.rejects(ack, { kind: 'protocol' });
  assert.equal(h.protocolErrors.length, 1);
  h.protocolErrors.length = 0;

  await roundTrip(h.client, connection);
  assert.deepEqual(connection.pending(), []);
  h.assertClean();
});

test('an invalid server frame is reported and ignored; the client carries on', async (t) => {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const got: number[] = [];
  h.client.subscribe('chat:7', (d, meta) => got.push(meta.off ?? -1));
  await acceptFresh(connection, 'chat:7');
  connection.sendRaw(new Uint8Array([0xc1]));
  connection.sendRaw('a text message');
  connection.push(FrameType.publication, { ch: 'chat:007', off: 1, d: chat(1) });
  connection.push(FrameType.publication, { ch: 'chat:7', off: 1, d: { ...chat(1), extra: 1 } });
  connection.push(FrameType.welcome, { v: 1, cid: 'x', uid: 1, exp: 0, pi: 1000, mf: 2048, ts: 1 });
  connection.push(FrameType.publication, { ch: 'chat:7', off: 1, d: chat(1) });
  await roundTrip(h.client, connection);
  assert.deepEqual(
    h.protocolErrors.map((report) => report.code),
    ['BAD_FRAME', 'BAD_FRAME', 'UNKNOWN_CHANNEL', 'INVALID_PAYLOAD', 'BAD_FRAME'],
  );
  assert.deepEqual(got, [1]);
  assert.equal(h.client.state, 'open');
});

// Subscriptions -------------------------------------------------------------------------------

test('a batch delivers each publication to its own channel, in order', async (t) => {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const log: string[] = [];
  const first = h.client.subscribe('danmu:5', (d, meta) => log.push(`A ${meta.off} ${d.t}`));
  h.client.subscribe('chat:2', (d, meta) => log.push(`chat ${meta.off} ${d.t}`));
  await acceptFresh(connection, 'danmu:5');
  await acceptFresh(connection, 'chat:2', 'x1', 10);
  // A second subscription to a channel shares the wire subscription: no second subscribe.
  h.client.subscribe('danmu:5', (d, meta) => log.push(`B ${meta.off} ${d.t}`));

  connection.push(FrameType.batch, {
    pubs: [
      { ch: 'danmu:5', off: 1, d: danmu(1) },
      { ch: 'chat:2', off: 11, d: chat(11) },
      { ch: 'notify:7', off: 1, d: { id: 'n1', k: 'x', t: 'not subscribed', ts: 1 } },
      { ch: 'danmu:5', off: 2, d: danmu(2) },
      { ch: 'chat:2', off: 11, d: chat(11) },
      { ch: 'chat:2', off: 12, d: chat(12) },
    ],
  });
  await roundTrip(h.client, connection);
  assert.deepEqual(log, [
    'A 1 danmu 1',
    'B 1 danmu 1',
    'chat 11 chat 11',
    'A 2 danmu 2',
    'B 2 danmu 2',
    'chat 12 chat 12',
  ]);
  assert.equal(first.state, 'live');
  assert.deepEqual(first.position, { ep: 'e1', off: 2 });
  assert.deepEqual(connection.pending(), []);

  // The wire subscription ends with the last subscription to the channel.
  first.unsubscribe();
  assert.equal(first.state, 'closed');
  await roundTrip(h.client, connection);
  assert.deepEqual(connection.pending(), []);
  h.client.subscribe('chat:2', () => {}).unsubscribe();
  h.client.subscribe('chat:2', () => {});
  await roundTrip(h.client, connection);
  assert.deepEqual(connection.pending(), [], 'chat:2 still had a subscription');
  h.assertClean();
});

async function recoversAfter(
  t: TestContext,
  drop: (connection: FakeConnection) => void,
  code: number,
) {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const got: number[] = [];
  const subscription = h.client.subscribe('chat:7', (_d, meta) => got.push(meta.off ?? -1));
  const recovered: number[] = [];
  subscription.on('recovered', (event) => recovered.push(event.count));
  await acceptFresh(connection, 'chat:7', 'e1', 0);
  connection.push(FrameType.publication, { ch: 'chat:7', off: 1, d: chat(1) });
  connection.push(FrameType.publication, { ch: 'chat:7', off: 2, d: chat(2) });
  await roundTrip(h.client, connection);

  const closed = once(h.client, 'close');
  drop(connection);
  assert.deepEqual(await closed, {
    code,
    reason: code === 4000 ? 'deploy' : '',
    willReconnect: true,
    delayMs: code === 4000 ? 0 : 10,
  });
  const again = await h.gateway.nextConnection();
  assert.deepEqual(again.hello, { v: 1, tk: 'tok-1', ua: 'binge-test/1' });
  const resubscribe = await again.next(FrameType.subscribe);
  assert.deepEqual(resubscribe.payload, { ch: 'chat:7', rc: { ep: 'e1', off: 2 } });
  again.reply(resubscribe, FrameType.subscribed, {
    ch: 'chat:7',
    ep: 'e1',
    off: 4,
    rc: 1,
    pubs: [
      { off: 2, d: chat(2) },
      { off: 3, d: chat(3) },
      { off: 4, d: chat(4) },
    ],
  });
  again.push(FrameType.publication, { ch: 'chat:7', off: 5, d: chat(5) });
  await roundTrip(h.client, again);
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
  assert.deepEqual(recovered, [2]);
  assert.equal(h.client.state, 'open');
  h.assertClean();
}

test('after a 4000 close the client reconnects and recovers each channel from its position', (t) =>
  recoversAfter(t, (connection) => connection.close(4000, 'deploy'), 4000));

test('after an abrupt drop (1006) the client reconnects and recovers the same way', (t) =>
  recoversAfter(t, (connection) => connection.terminate(), 1006));

test('a channel whose history no longer reaches emits refetch and continues live', async (t) => {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const got: number[] = [];
  const subscription = h.client.subscribe('chat:7', (_d, meta) => got.push(meta.off ?? -1));
  const refetched: string[] = [];
  subscription.on('refetch', (event) => refetched.push(event.reason));
  await acceptFresh(connection, 'chat:7', 'e1', 3);
  connection.terminate();

  const again = await h.gateway.nextConnection();
  const resubscribe = await again.next(FrameType.subscribe);
  assert.deepEqual(resubscribe.payload, { ch: 'chat:7', rc: { ep: 'e1', off: 3 } });
  const clientEvent = once(h.client, 'refetch');
  again.reply(resubscribe, FrameType.subscribed, { ch: 'chat:7', ep: 'e2', off: 50, rc: 2 });
  assert.deepEqual(await clientEvent, {
    ch: 'chat:7',
    reason: 'history no longer reaches the position',
  });
  again.push(FrameType.publication, { ch: 'chat:7', off: 50, d: chat(50) });
  again.push(FrameType.publication, { ch: 'chat:7', off: 51, d: chat(51) });
  await roundTrip(h.client, again);
  assert.equal(refetched.length, 1);
  assert.deepEqual(got, [51]);
  assert.deepEqual(subscription.position, { ep: 'e2', off: 51 });
  h.assertClean();
});

test('a gap on danmu is skipped; a gap on chat is recovered by resubscribing', async (t) => {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const danmuLog: Array<[number | undefined, number | undefined]> = [];
  const chatLog: number[] = [];
  h.client.subscribe('danmu:5', (_d, meta) => danmuLog.push([meta.off, meta.skipped]));
  h.client.subscribe('chat:7', (_d, meta) => chatLog.push(meta.off ?? -1));
  await acceptFresh(connection, 'danmu:5');
  await acceptFresh(connection, 'chat:7');

  connection.push(FrameType.publication, { ch: 'danmu:5', off: 1, d: danmu(1) });
  connection.push(FrameType.publication, { ch: 'danmu:5', off: 4, d: danmu(4) });
  connection.push(FrameType.publication, { ch: 'chat:7', off: 1, d: chat(1) });
  connection.push(FrameType.publication, { ch: 'chat:7', off: 3, d: chat(3) });
  connection.push(FrameType.publication, { ch: 'chat:7', off: 4, d: chat(4) });

  const unsubscribe = await connection.next(FrameType.unsubscribe);
  assert.deepEqual(unsubscribe.payload, { ch: 'chat:7' });
  connection.reply(unsubscribe, FrameType.unsubscribed, { ch: 'chat:7' });
  const resubscribe = await connection.next(FrameType.subscribe);
  assert.deepEqual(resubscribe.payload, { ch: 'chat:7', rc: { ep: 'e1', off: 1 } });
  connection.reply(resubscribe, FrameType.subscribed, {
    ch: 'chat:7',
    ep: 'e1',
    off: 4,
    rc: 1,
    pubs: [2, 3, 4].map((off) => ({ off, d: chat(off) })),
  });
  await roundTrip(h.client, connection);
  assert.deepEqual(danmuLog, [
    [1, undefined],
    [4, 2],
  ]);
  assert.deepEqual(chatLog, [1, 2, 3, 4]);
  assert.deepEqual(connection.pending(), [], 'danmu:5 was not resubscribed');
  h.assertClean();
});

test('STATE_LOST resubscribes from the last position; another code closes the subscription', async (t) => {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const got: number[] = [];
  const subscription = h.client.subscribe('chat:7', (_d, meta) => got.push(meta.off ?? -1));
  await acceptFresh(connection, 'chat:7', 'e1', 8);

  connection.push(FrameType.unsubscribed, { ch: 'chat:7', c: 121 });
  const resubscribe = await connection.next(FrameType.subscribe);
  assert.deepEqual(resubscribe.payload, { ch: 'chat:7', rc: { ep: 'e1', off: 8 } });
  // A second STATE_LOST while that subscribe is on its way changes nothing.
  connection.push(FrameType.unsubscribed, { ch: 'chat:7', c: 121 });
  connection.reply(resubscribe, FrameType.subscribed, {
    ch: 'chat:7',
    ep: 'e1',
    off: 9,
    rc: 1,
    pubs: [{ off: 9, d: chat(9) }],
  });
  await roundTrip(h.client, connection);
  assert.deepEqual(got, [9]);
  assert.equal(subscription.state, 'live');
  assert.deepEqual(connection.pending(), []);

  const dropped = new Promise((resolve) => subscription.on('unsubscribed', resolve));
  connection.push(FrameType.unsubscribed, { ch: 'chat:7', c: 111 });
  const event = (await dropped) as { ch: string; code: number; error: RealtimeError };
  assert.equal(event.code, 111);
  assert.equal(event.error.codeName, 'PERMISSION_DENIED');
  assert.equal(subscription.state, 'closed');
  await roundTrip(h.client, connection);
  assert.deepEqual(connection.pending(), [], 'no resubscribe after a refusal');
  h.assertClean();
});

test('a subscribe the gateway refuses closes the subscription with the code', async (t) => {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const subscription = h.client.subscribe('dm:8', () => {});
  const dropped = new Promise<{ code: number | null }>((resolve) =>
    subscription.on('unsubscribed', resolve),
  );
  const request = await connection.next(FrameType.subscribe);
  connection.reply(request, FrameType.error, { c: 111, m: 'not yours', ch: 'dm:8' });
  assert.equal((await dropped).code, 111);
  assert.equal(subscription.state, 'closed');
  h.assertClean();
});

test('ALREADY_SUBSCRIBED is repaired once with unsubscribe and subscribe, then given up', async (t) => {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const subscription = h.client.subscribe('chat:7', () => {});
  const refused = { c: 114, m: 'already subscribed', ch: 'chat:7' };
  connection.reply(await connection.next(FrameType.subscribe), FrameType.error, refused);
  const unsubscribe = await connection.next(FrameType.unsubscribe);
  connection.reply(unsubscribe, FrameType.unsubscribed, { ch: 'chat:7' });
  const again = await connection.next(FrameType.subscribe);
  assert.deepEqual(again.payload, { ch: 'chat:7' });
  connection.reply(again, FrameType.subscribed, { ch: 'chat:7', ep: 'e1', off: 0, rc: 0 });
  await roundTrip(h.client, connection);
  assert.equal(subscription.state, 'live');

  const other = h.client.subscribe('chat:8', () => {});
  const dropped = new Promise<{ code: number | null }>((resolve) =>
    other.on('unsubscribed', resolve),
  );
  connection.reply(await connection.next(FrameType.subscribe), FrameType.error, {
    ...refused,
    ch: 'chat:8',
  });
  connection.reply(await connection.next(FrameType.unsubscribe), FrameType.unsubscribed, {
    ch: 'chat:8',
  });
  connection.reply(await connection.next(FrameType.subscribe), FrameType.error, {
    ...refused,
    ch: 'chat:8',
  });
  assert.equal((await dropped).code, 114);
  assert.equal(other.state, 'closed');
  h.assertClean();
});

// Publishing ----------------------------------------------------------------------------------

test('a publish cut off by a drop is sent again after the reconnect with the same cmid', async (t) => {
  const h = await harness(t, { syncProgress: false });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const published = h.client.publish('danmu:5', danmuSend);
  const history = h.client.history('danmu:5', 0, 1_000);
  const first = await connection.next(FrameType.publish);
  await connection.next(FrameType.history);
  const { cmid } = first.payload.d as { cmid: string };
  assert.match(cmid, /^[A-Za-z0-9_-]{22}$/);
  connection.terminate();
  await assert.rejects(history, { kind: 'disconnected' });

  const again = await h.gateway.nextConnection();
  const retry = await again.next(FrameType.publish);
  assert.deepEqual(retry.payload, first.payload);
  again.reply(retry, FrameType.ok, { off: 12, mid: 'm12', dup: true });
  assert.deepEqual(await published, { off: 12, mid: 'm12', dup: true, cmid });

  // A cmid given by the app is kept.
  const own = h.client.publish('chat:2', { t: 'hello', cmid: 'my-own-id-1' });
  const request = await again.next(FrameType.publish);
  assert.deepEqual(request.payload, { ch: 'chat:2', d: { t: 'hello', cmid: 'my-own-id-1' } });
  again.reply(request, FrameType.ok, { off: 3, mid: 'm3' });
  assert.deepEqual(await own, { off: 3, mid: 'm3', dup: false, cmid: 'my-own-id-1' });
  h.assertClean();
});

test('a publish made before connecting waits for the welcome, and fails at its deadline', async (t) => {
  const clock = manualClock();
  const h = await harness(t, {
    syncProgress: false,
    timers: clock.timers,
    now: clock.now,
    publishDeadlineMs: 5_000,
  });
  const late = h.client.publish('chat:2', { t: 'never delivered' });
  clock.advance(5_000);
  await assert.rejects(late, { kind: 'deadline', ch: 'chat:2' });

  const early = h.client.publish('chat:2', { t: 'early bird' });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const request = await connection.next(FrameType.publish);
  assert.equal((request.payload.d as { t: string }).t, 'early bird');
  connection.reply(request, FrameType.ok, { off: 1, mid: 'm1' });
  assert.equal((await early).off, 1);
  h.assertClean();
});

// Progress ------------------------------------------------------------------------------------

test('progress set offline is coalesced, persisted and flushed once the channel is subscribed', async (t) => {
  const storage = memoryStorage();
  const h = await harness(t, { storage });
  h.client.setProgress(3, 1_000, 60_000);
  h.client.setProgress(3, 2_000, 60_000);
  h.client.setProgress(4, 500, 30_000);
  assert.deepEqual(
    h.client.pendingProgress().map((write) => [write.episodeId, write.positionMs]),
    [
      [3, 2_000],
      [4, 500],
    ],
  );
  const stored = JSON.parse(storage.items.get('binge.realtime.progress')!);
  assert.equal(stored.entries.length, 2);

  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const subscribe = await connection.next(FrameType.subscribe);
  assert.deepEqual(subscribe.payload, { ch: 'progress:7' });
  await roundTrip(h.client, connection);
  assert.deepEqual(connection.pending(), [], 'nothing is sent before the subscribe is answered');
  connection.reply(subscribe, FrameType.subscribed, { ch: 'progress:7', ep: 'p1', off: 0, rc: 0 });

  const first = await connection.next(FrameType.publish);
  const second = await connection.next(FrameType.publish);
  const d1 = first.payload.d as ProgressData;
  const d2 = second.payload.d as ProgressData;
  assert.equal(first.payload.ch, 'progress:7');
  assert.deepEqual([d1.eid, d1.pos, d1.dur, d1.hlc.node], [3, 2_000, 60_000, 'device-a']);
  assert.deepEqual([d2.eid, d2.pos], [4, 500]);
  connection.reply(first, FrameType.ok, { off: 1 });
  const stale = once(h.client, 'progressStale');
  connection.reply(second, FrameType.ok, { stale: true });
  assert.deepEqual(await stale, { episodeId: 4, stamp: d2.hlc });
  await roundTrip(h.client, connection);
  assert.deepEqual(h.client.pendingProgress(), []);
  assert.deepEqual(JSON.parse(storage.items.get('binge.realtime.progress')!).entries, []);

  // The winner arrives on the channel from the other device and replaces the local write.
  const winner = {
    eid: 4,
    pos: 9_000,
    dur: 30_000,
    hlc: { ...d2.hlc, counter: d2.hlc.counter + 1, node: 'device-b' },
  };
  const arrived = once(h.client, 'progress');
  connection.push(FrameType.publication, { ch: 'progress:7', off: 1, d: winner });
  assert.deepEqual(await arrived, {
    episodeId: 4,
    positionMs: 9_000,
    durationMs: 30_000,
    stamp: winner.hlc,
    local: false,
  });
  assert.equal(h.client.progress().get(4)?.positionMs, 9_000);
  assert.equal(h.client.progress().get(3)?.local, true);
  h.assertClean();
});

test('progress written during a drop goes out after the reconnect; a queue survives a reload', async (t) => {
  const storage = memoryStorage();
  const h = await harness(t, { storage });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  await acceptFresh(connection, 'progress:7', 'p1', 0);
  connection.terminate();
  await once(h.client, 'close');
  h.client.setProgress(11, 42_000, 90_000);

  const again = await h.gateway.nextConnection();
  await acceptFresh(again, 'progress:7', 'p1', 0);
  const publish = await again.next(FrameType.publish);
  assert.deepEqual((publish.payload.d as ProgressData).pos, 42_000);
  // Left unanswered: the write stays queued, and the stored queue holds it for the next page.
  h.client.close();

  const reloaded = await harness(t, { storage, hlcNode: 'device-a' });
  assert.deepEqual(
    reloaded.client.pendingProgress().map((write) => write.positionMs),
    [42_000],
  );
  await reloaded.client.connect();
  const third = await reloaded.gateway.nextConnection();
  await acceptFresh(third, 'progress:7', 'p1', 0);
  const resent = await third.next(FrameType.publish);
  assert.deepEqual(resent.payload.d, publish.payload.d);
  third.reply(resent, FrameType.ok, { off: 1 });
  await roundTrip(reloaded.client, third);
  assert.deepEqual(reloaded.client.pendingProgress(), []);
  h.assertClean();
  reloaded.assertClean();
});

test('a progress stamp far ahead keeps its data but does not drag the clock', async (t) => {
  const clock = manualClock();
  const h = await harness(t, { timers: clock.timers, now: clock.now });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  await acceptFresh(connection, 'progress:7', 'p1', 0);
  const ahead = { wallMs: clock.now() + 3_600_000, counter: 0, node: 'device-b' };
  connection.push(FrameType.publication, {
    ch: 'progress:7',
    off: 1,
    d: { eid: 5, pos: 100, dur: 1_000, hlc: ahead },
  });
  await roundTrip(h.client, connection);
  assert.equal(h.client.progress().get(5)?.positionMs, 100);
  h.client.setProgress(6, 1, 2);
  const write = h.client.pendingProgress().find((entry) => entry.episodeId === 6)!;
  assert.ok(write.stamp.wallMs < ahead.wallMs, 'the local clock stayed at real time');
  connection.reply(await connection.next(FrameType.publish), FrameType.ok, { off: 2 });
  await roundTrip(h.client, connection);
  h.assertClean();
});

test('an unreadable stored queue is reported when connecting, and replaced', async (t) => {
  const storage = memoryStorage();
  storage.items.set('binge.realtime.progress', '{"v": 1, "entries": [{"episodeId": -1}');
  const h = await harness(t, { storage, syncProgress: false });
  assert.deepEqual(h.client.pendingProgress(), []);
  const reported = once(h.client, 'error');
  const connected = h.client.connect();
  const error = await reported;
  assert.equal(error.kind, 'storage');
  assert.match(error.message, /unreadable/);
  await connected;
  h.client.setProgress(1, 10, 20);
  assert.equal(JSON.parse(storage.items.get('binge.realtime.progress')!).entries.length, 1);
  h.assertClean();
});

// Close codes and tokens ----------------------------------------------------------------------

test('close 4502 is terminal: no reconnect, pending work fails, connect() rejects', async (t) => {
  const h = await harness(t);
  h.gateway.answerHello = () => ({ error: { c: 109, m: 'bad signature' }, close: 4502 });
  const published = h.client.publish('chat:2', { t: 'hi' });
  const closed = once(h.client, 'closed');
  await assert.rejects(h.client.connect(), { kind: 'closed' });
  assert.deepEqual(await closed, { code: 4502, reason: 'bad signature' });
  await assert.rejects(published, { kind: 'closed' });
  assert.deepEqual(
    h.events.map((entry) => entry.name),
    ['error', 'close', 'closed'],
  );
  assert.equal((h.events[0]!.event as RealtimeError).codeName, 'TOKEN_INVALID');
  assert.deepEqual(h.events[1]!.event, {
    code: 4502,
    reason: 'bad signature',
    willReconnect: false,
    delayMs: null,
  });
  await new Promise((resolve) => setTimeout(resolve, 100)); // well past any backoff delay
  assert.equal(h.gateway.connections.length, 1);
  assert.equal(h.client.state, 'closed');
  assert.throws(() => h.client.subscribe('feed', () => {}), { kind: 'closed' });
  h.assertClean();
});

test('close 4504 (banned) in the middle of a session is terminal: no reconnect', async (t) => {
  const h = await harness(t);
  h.gateway.answerHello = () => ({ welcome: { exp: Date.now() + 3_600_000 } });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const closed = once(h.client, 'closed');
  connection.close(4504, 'BANNED');
  assert.deepEqual(await closed, { code: 4504, reason: 'BANNED' });
  await new Promise((resolve) => setTimeout(resolve, 100)); // well past any backoff delay
  assert.equal(h.gateway.connections.length, 1);
  assert.equal(h.client.state, 'closed');
  h.assertClean();
});

test('close 4003 fetches a new token; other drops reuse the one still fresh', async (t) => {
  const h = await harness(t, { tokens: ['old', 'new'], syncProgress: false });
  h.gateway.answerHello = () => ({ welcome: { exp: Date.now() + 3_600_000 } });
  await h.client.connect();
  const first = await h.gateway.nextConnection();
  assert.equal(first.hello?.tk, 'old');
  first.close(4000, 'deploy');
  const second = await h.gateway.nextConnection();
  assert.equal(second.hello?.tk, 'old');
  assert.equal(h.tokenCalls(), 1);

  second.close(4003, 'token expired');
  const third = await h.gateway.nextConnection();
  assert.equal(third.hello?.tk, 'new');
  assert.equal(h.tokenCalls(), 2);
  h.assertClean();
});

test('a failed token request is reported and retried with backoff', async (t) => {
  let calls = 0;
  const h = await harness(t, {
    syncProgress: false,
    getToken: async () => {
      calls += 1;
      if (calls === 1) throw new Error('API down');
      return 'tok-2';
    },
  });
  const reported = once(h.client, 'error');
  const closed = once(h.client, 'close');
  const connected = h.client.connect();
  assert.equal((await reported).kind, 'token');
  assert.deepEqual(await closed, {
    code: 1006,
    reason: 'the token request failed',
    willReconnect: true,
    delayMs: 10,
  });
  await connected;
  assert.equal((await h.gateway.nextConnection()).hello?.tk, 'tok-2');
  assert.equal(h.gateway.connections.length, 1, 'no socket was opened without a token');
  h.assertClean();
});

test('the token is refreshed before it expires', async (t) => {
  const clock = manualClock();
  const h = await harness(t, {
    tokens: ['tok-1', 'tok-2', 'tok-3'],
    timers: clock.timers,
    now: clock.now,
    syncProgress: false,
  });
  h.gateway.answerHello = () => ({ welcome: { exp: clock.now() + 100_000 } });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();

  clock.advance(79_000);
  await roundTrip(h.client, connection);
  assert.equal(h.tokenCalls(), 1, 'not refreshed before 80% of the lifetime');
  clock.advance(1_000);
  const refresh = await connection.next(FrameType.refresh);
  assert.deepEqual(refresh.payload, { tk: 'tok-2' });
  connection.reply(refresh, FrameType.ok, { exp: clock.now() + 100_000 });
  await roundTrip(h.client, connection);
  assert.equal(h.client.session?.exp, clock.now() + 100_000);

  clock.advance(80_000);
  const next = await connection.next(FrameType.refresh);
  assert.deepEqual(next.payload, { tk: 'tok-3' });
  h.assertClean();
});

// Liveness ------------------------------------------------------------------------------------

test('pings go out within the ping interval; a missing pong drops the socket and reconnects', async (t) => {
  const clock = manualClock();
  const h = await harness(t, {
    timers: clock.timers,
    now: clock.now,
    syncProgress: false,
    pongTimeoutMs: 5_000,
  });
  h.gateway.answerHello = () => ({ welcome: { pi: 10_000 } });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const pings = () => connection.received.filter((frame) => frame.type === FrameType.ping).length;

  // pi is 10 s: a ping goes out every 9 s, each answered before the clock moves on.
  clock.advance(8_999);
  await roundTrip(h.client, connection);
  assert.equal(pings(), 0);
  for (let n = 1; n <= 3; n += 1) {
    clock.advance(1);
    await roundTrip(h.client, connection);
    assert.equal(pings(), n, `ping ${n} at ${9 * n} s`);
    clock.advance(8_999);
  }

  connection.answerPings = false;
  const closed = once(h.client, 'close');
  clock.advance(1); // the next ping goes out, and no pong comes back
  clock.advance(4_999);
  assert.equal(h.client.state, 'open');
  clock.advance(1);
  assert.deepEqual(await closed, {
    code: 1006,
    reason: 'no pong within 5000 ms',
    willReconnect: true,
    delayMs: 10,
  });
  await connection.closed;
  clock.advance(10);
  const again = await h.gateway.nextConnection();
  assert.equal(again.hello?.tk, 'tok-1');
  h.assertClean();
});

test('a socket that never gets a welcome is given up and retried', async (t) => {
  const clock = manualClock();
  const h = await harness(t, {
    timers: clock.timers,
    now: clock.now,
    syncProgress: false,
    connectTimeoutMs: 3_000,
  });
  let seen!: () => void;
  const firstHello = new Promise<void>((resolve) => (seen = resolve));
  h.gateway.answerHello = () => {
    if (h.gateway.connections.length > 1) return { welcome: {} };
    seen();
    return { silent: true }; // a wedged gateway
  };
  const connected = h.client.connect();
  await firstHello;
  const closed = once(h.client, 'close');
  clock.advance(2_999);
  assert.equal(h.client.state, 'connecting');
  clock.advance(1);
  assert.deepEqual(await closed, {
    code: 1006,
    reason: 'no welcome within 3000 ms',
    willReconnect: true,
    delayMs: 10,
  });
  await h.gateway.connections[0]!.closed;
  clock.advance(10);
  assert.equal((await connected).cid, 'c2');
  h.assertClean();
});

// Shutdown ------------------------------------------------------------------------------------

test('close() stops everything: no timer is left, pending work fails, the gateway sees 1000', async (t) => {
  const tracked = trackedTimers();
  const h = await harness(t, { timers: tracked.timers });
  h.gateway.answerHello = () => ({ welcome: { pi: 1_000, exp: Date.now() + 3_600_000 } });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  h.client.subscribe('chat:2', () => {});
  const published = h.client.publish('chat:2', { t: 'in flight' });
  await connection.next(FrameType.publish);
  assert.ok(tracked.live.size > 0, 'ping, refresh and deadline timers run while open');

  const closed = once(h.client, 'closed');
  h.client.close();
  assert.deepEqual(await closed, { code: 1000, reason: 'closed by the client' });
  assert.equal(tracked.live.size, 0);
  assert.equal(h.client.state, 'closed');
  await assert.rejects(published, { kind: 'closed' });
  await assert.rejects(h.client.connect(), { kind: 'closed' });
  await assert.rejects(h.client.feed(), { kind: 'closed' });
  assert.equal((await connection.closed).code, 1000);
  h.client.close(); // idempotent
  h.assertClean();
});

test('close() while waiting to reconnect cancels the attempt', async (t) => {
  const tracked = trackedTimers();
  const h = await harness(t, {
    timers: tracked.timers,
    syncProgress: false,
    backoff: { minDelayMs: 50, maxDelayMs: 50 },
  });
  await h.client.connect();
  const connection = await h.gateway.nextConnection();
  const closed = once(h.client, 'close');
  connection.terminate();
  assert.equal((await closed).delayMs, 50);
  assert.equal(h.client.state, 'reconnecting');
  h.client.close();
  assert.equal(tracked.live.size, 0);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(h.gateway.connections.length, 1);
  h.assertClean();
});
