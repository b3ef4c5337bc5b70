import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { count, eq } from 'drizzle-orm';
import { encode } from '@msgpack/msgpack';
import type { DatabaseHandle } from '@binge/core/db';
import { danmu } from '@binge/core/db/schema';
import { openTestDatabase } from '@binge/core/db/testing';
import { closeCodes, errorCodeName, errorCodes } from '@binge/core/protocol/realtime/codes';
import { FrameType, type ServerFrame } from '@binge/core/protocol/realtime/frames';
import { MAX_CLIENT_FRAME_BYTES } from '@binge/core/protocol/realtime/limits';
import { connectRaw, type RawClient } from '../testing/raw-client.ts';
import { rtToken, seedWorld, type RealtimeWorld } from '../testing/fixtures.ts';
import { startTestNode, type TestNode } from '../testing/test-node.ts';

/**
 * Issue 3's abuse list, each against the real gateway: the answer is an error frame with a code
 * or a documented close, the process keeps serving, and nothing stored is lost.
 */
const danmuSend = (t: string, cmid: string) => ({
  t,
  pos: 5000,
  mode: 0,
  col: '#ff0000',
  size: 1,
  cmid,
});

function codeOf(frame: ServerFrame): string | null {
  assert.equal(
    frame.type,
    FrameType.error,
    `expected an error frame, got ${JSON.stringify(frame)}`,
  );
  return errorCodeName((frame.payload as { c: number }).c);
}

async function nextError(client: RawClient, after = 0): Promise<string | null> {
  const frame = await client.next(
    (f) => f.type === FrameType.error && client.frames.indexOf(f) >= after,
  );
  return codeOf(frame);
}

describe('bad input', () => {
  let database: DatabaseHandle;
  let world: RealtimeWorld;
  let node: TestNode;
  let episode: number;
  let stored: { off: number; mid: string };

  before(async () => {
    database = await openTestDatabase('pglite');
    world = await seedWorld(database.db, { users: 4 });
    episode = world.episodeIds[0]!;
    node = await startTestNode({ db: database.db, gateway: { tickMs: 5, lossyTickMs: 5 } });
    // Something stored before the abuse starts, to check it survives.
    const writer = await connectRaw(node.url);
    await writer.hello(rtToken(world.users[3]!));
    const ok = await writer.request(FrameType.publish, {
      ch: `danmu:${episode}`,
      d: danmuSend('stored before the abuse', 'before-0001'),
    });
    stored = ok.payload as { off: number; mid: string };
    writer.close();
  });

  after(async () => {
    await node.close();
    await database.close();
  });

  test('random bytes: error frames with protocol codes, then the documented close', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    for (let i = 0; i < 12; i += 1) client.sendBytes(randomBytes(1 + ((i * 37) % 200)));
    const { code } = await client.closed;
    const errors = client.frames.filter((f) => f.type === FrameType.error);
    assert.ok(errors.length >= 1);
    for (const frame of errors) assert.notEqual(codeOf(frame), null, 'a known code');
    assert.ok(
      [closeCodes.PROTOCOL_VIOLATION.code, closeCodes.PAYLOAD_TOO_LARGE.code].includes(
        code as 4500,
      ),
      `closed with ${code}`,
    );
  });

  test('truncated MessagePack is BAD_FRAME', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    const whole = encode([FrameType.subscribe, 2, { ch: `danmu:${episode}` }]);
    client.sendBytes(whole.subarray(0, whole.length - 3));
    assert.equal(await nextError(client), 'BAD_FRAME');
    // One mistake does not close the connection.
    const pong = await client.request(FrameType.ping, {});
    assert.equal(pong.type, FrameType.pong);
    client.close();
  });

  test('a text message is BAD_FRAME', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    client.sendBytes('{"type":"subscribe"}');
    assert.equal(await nextError(client), 'BAD_FRAME');
    client.close();
  });

  test('wrong types are INVALID_PAYLOAD', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    for (const payload of [
      [FrameType.subscribe, 2, { ch: 42 }],
      [
        FrameType.publish,
        3,
        { ch: `danmu:${episode}`, d: { ...danmuSend('x', 'wrongtype1'), pos: '5' } },
      ],
      [FrameType.history, 4, { ch: `danmu:${episode}`, from: -1, to: 10 }],
      [FrameType.subscribe, 5, { ch: `danmu:${episode}`, extra: true }],
    ]) {
      const before = client.frames.length;
      client.sendBytes(encode(payload));
      assert.equal(await nextError(client, before), 'INVALID_PAYLOAD', JSON.stringify(payload));
    }
    client.close();
  });

  test('unknown frame types, and server frame types sent by a client', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    client.sendBytes(encode([99, 1, {}]));
    assert.equal(await nextError(client), 'UNKNOWN_FRAME_TYPE');
    const before = client.frames.length;
    client.sendBytes(encode([FrameType.welcome, 2, {}]));
    assert.equal(await nextError(client, before), 'UNKNOWN_FRAME_TYPE');
    client.close();
  });

  test('a frame over the size limit is refused before decoding and closes with 4501', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    client.sendBytes(new Uint8Array(MAX_CLIENT_FRAME_BYTES + 1));
    assert.equal(await nextError(client), 'FRAME_TOO_LARGE');
    assert.equal((await client.closed).code, closeCodes.PAYLOAD_TOO_LARGE.code);
  });

  test('a frame far over the limit is cut by the transport without reading it', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    client.sendBytes(new Uint8Array(MAX_CLIENT_FRAME_BYTES * 8));
    // uWS drops the TCP connection (the client sees 1006, abnormal closure); reconnect policy:
    // backoff, and a well-behaved client never sends such a frame (mf in welcome).
    assert.ok([1006, 1009].includes((await client.closed).code));
  });

  test('deeply nested payloads are TOO_DEEP and close with 4500', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    let nested: unknown = [];
    for (let i = 0; i < 60; i += 1) nested = [nested];
    client.sendBytes(encode([FrameType.publish, 2, { ch: `danmu:${episode}`, d: nested }]));
    assert.equal(await nextError(client), 'TOO_DEEP');
    assert.equal((await client.closed).code, closeCodes.PROTOCOL_VIOLATION.code);
  });

  test('the first frame must be hello, and only once', async () => {
    const first = await connectRaw(node.url);
    first.sendBytes(encode([FrameType.subscribe, 1, { ch: 'feed' }]));
    assert.equal(await nextError(first), 'HELLO_REQUIRED');
    assert.equal((await first.closed).code, closeCodes.PROTOCOL_VIOLATION.code);

    const twice = await connectRaw(node.url);
    await twice.hello();
    const again = await twice.hello();
    assert.equal(codeOf(again), 'HELLO_REQUIRED');
    assert.equal((await twice.closed).code, closeCodes.PROTOCOL_VIOLATION.code);
  });

  test('a danmu flood is rate limited per user (one per 2 s, burst 3)', async () => {
    const client = await connectRaw(node.url);
    await client.hello(rtToken(world.users[0]!));
    const replies: ServerFrame[] = [];
    for (let i = 0; i < 5; i += 1) {
      replies.push(
        await client.request(FrameType.publish, {
          ch: `danmu:${episode}`,
          d: danmuSend(`flood ${i}`, `flood-${i}-0000`),
        }),
      );
    }
    assert.deepEqual(
      replies.map((r) => (r.type === FrameType.ok ? 'ok' : codeOf(r))),
      ['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED'],
    );
    client.close();
  });

  test('a frame flood past the per-connection limit is refused, then closed with 4002', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    for (let i = 0; i < 300; i += 1) {
      client.sendBytes(encode([FrameType.ping, i + 2, {}]));
    }
    const { code } = await client.closed;
    assert.equal(code, closeCodes.RATE_LIMITED.code);
    const limited = client.frames.filter(
      (f) =>
        f.type === FrameType.error &&
        (f.payload as { c: number }).c === errorCodes.RATE_LIMITED.code,
    );
    assert.ok(limited.length >= 1);
  });

  test('an expired token closes with 4003, a forged one with 4502', async () => {
    const userId = world.users[0]!;
    const expired = await connectRaw(node.url);
    const reply = await expired.hello(
      rtToken(userId, { nowMs: Date.now() - 3_600_000, ttlMs: 1000 }),
    );
    assert.equal(codeOf(reply), 'TOKEN_EXPIRED');
    assert.equal((await expired.closed).code, closeCodes.AUTH_EXPIRED.code);

    for (const token of [
      rtToken(userId, { secret: 'another-secret-another-secret-another' }),
      // Genuine, but its session was never created (or was deleted with its account).
      rtToken(userId, { sessionId: 'AAAAAAAAAAAAAAAAAAAAAA' }),
      'v1.eyJzdWIiOjF9.' + 'A'.repeat(43),
    ]) {
      const forged = await connectRaw(node.url);
      assert.equal(codeOf(await forged.hello(token)), 'TOKEN_INVALID');
      assert.equal((await forged.closed).code, closeCodes.AUTH_INVALID.code);
    }
  });

  test('a token on the upgrade URL works like one in hello', async () => {
    const userId = world.users[1]!;
    const client = await connectRaw(`${node.url}?token=${rtToken(userId)}`);
    const welcome = await client.hello();
    assert.equal((welcome.payload as { uid: number }).uid, userId);
    client.close();
  });

  test("another user's dm and progress channels are refused", async () => {
    const [alice, bob] = world.users;
    const client = await connectRaw(node.url);
    await client.hello(rtToken(alice!));
    for (const ch of [
      `dm:${bob}`,
      `progress:${bob}`,
      `notify:${bob}`,
      `live:creator:${world.creatorId}`,
    ]) {
      assert.equal(
        codeOf(await client.request(FrameType.subscribe, { ch })),
        'PERMISSION_DENIED',
        ch,
      );
    }
    const write = await client.request(FrameType.publish, {
      ch: `progress:${bob}`,
      d: { eid: episode, pos: 1, dur: 10, hlc: { wallMs: Date.now(), counter: 0, node: 'd1' } },
    });
    assert.equal(codeOf(write), 'PERMISSION_DENIED');
    client.close();
  });

  test('danmu with markup or control characters is TEXT_REJECTED and never stored', async () => {
    const userId = world.users[2]!;
    const client = await connectRaw(node.url);
    await client.hello(rtToken(userId));
    for (const [i, text] of [
      '<script>alert(1)</script>',
      'bell\u0007',
      'spoof \u202Eevil',
      '\u200B\u200B',
    ].entries()) {
      const reply = await client.request(FrameType.publish, {
        ch: `danmu:${episode}`,
        d: danmuSend(text, `reject-${i}-000`),
      });
      assert.equal(codeOf(reply), 'TEXT_REJECTED', JSON.stringify(text));
    }
    const [row] = await database.db
      .select({ n: count() })
      .from(danmu)
      .where(eq(danmu.userId, userId));
    assert.equal(row!.n, 0);
    client.close();
  });

  test('unknown channels and missing episodes', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    assert.equal(
      codeOf(await client.request(FrameType.subscribe, { ch: 'danmu:007' })),
      'UNKNOWN_CHANNEL',
    );
    assert.equal(
      codeOf(await client.request(FrameType.subscribe, { ch: 'danmu:2147483647' })),
      'NOT_FOUND',
    );
    client.close();
  });

  test('after all of it the process serves, and what was stored is intact', async () => {
    const client = await connectRaw(node.url);
    await client.hello();
    const sub = await client.request(FrameType.subscribe, {
      ch: `danmu:${episode}`,
      rc: { ep: 'unknown-epoch', off: 0 },
    });
    assert.equal(sub.type, FrameType.subscribed);
    const history = await client.request(FrameType.history, {
      ch: `danmu:${episode}`,
      from: 0,
      to: 60_000,
    });
    const texts = (history.payload as { pubs: { d: { t: string; mid: string } }[] }).pubs.map(
      (p) => p.d,
    );
    assert.ok(texts.some((d) => d.mid === stored.mid && d.t === 'stored before the abuse'));
    // Exactly the accepted danmu are stored: the one before the abuse and the three of the flood.
    const [row] = await database.db
      .select({ n: count() })
      .from(danmu)
      .where(eq(danmu.episodeId, episode));
    assert.equal(row!.n, 4);
    client.close();
  });
});
