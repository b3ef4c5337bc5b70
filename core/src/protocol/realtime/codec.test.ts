import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { decodeClientFrame, decodeServerFrame, encodeFrame } from './codec.ts';
import { errorCodes } from './codes.ts';
import { FrameType, PROTOCOL_VERSION, type ClientFrame, type ServerFrame } from './frames.ts';
import { MAX_CLIENT_FRAME_BYTES, MAX_DEPTH } from './limits.ts';

const hlc = { wallMs: 1_700_000_000_000, counter: 3, node: 'device-1' };
const danmu = {
  t: 'so good',
  pos: 12_345,
  mode: 0,
  col: '#ffcc00',
  size: 1,
  cmid: 'c-0000001',
} as const;

const clientFrames: ClientFrame[] = [
  {
    type: FrameType.hello,
    rid: 1,
    payload: { v: PROTOCOL_VERSION, tk: 'aaa.bbb.ccc', ua: 'web/1.0' },
  },
  { type: FrameType.hello, rid: 1, payload: { v: PROTOCOL_VERSION } },
  { type: FrameType.subscribe, rid: 2, payload: { ch: 'danmu:42', rc: { ep: 'e1', off: 17 } } },
  { type: FrameType.subscribe, rid: 3, payload: { ch: 'live:creator:7' } },
  { type: FrameType.unsubscribe, rid: 4, payload: { ch: 'chat:9' } },
  { type: FrameType.publish, rid: 5, payload: { ch: 'danmu:42', d: { ...danmu } } },
  {
    type: FrameType.publish,
    rid: 6,
    payload: { ch: 'chat:9', d: { t: 'hi\nall', cmid: 'c-0000002' } },
  },
  { type: FrameType.publish, rid: 7, payload: { ch: 'dm:5', d: { t: 'hey', cmid: 'c-0000003' } } },
  {
    type: FrameType.publish,
    rid: 8,
    payload: { ch: 'progress:3', d: { eid: 42, pos: 1000, dur: 60_000, hlc } },
  },
  { type: FrameType.history, rid: 9, payload: { ch: 'danmu:42', from: 0, to: 30_000, lim: 200 } },
  { type: FrameType.ack, rid: 10, payload: { ch: 'dm:3', mid: '99', k: 2 } },
  { type: FrameType.ping, rid: 11, payload: {} },
  { type: FrameType.refresh, rid: 12, payload: { tk: 'new.token.here' } },
  { type: FrameType.feed, rid: 13, payload: {} },
  { type: FrameType.feed, rid: 14, payload: { cur: 'abc_1', lim: 20 } },
  {
    type: FrameType.watch,
    rid: 16,
    payload: { ev: [{ id: 'ev-000001', t: 'start', eid: 42, pos: 0, at: 1_700_000_000_000 }] },
  },
];

const danmuData = { mid: 'm1', uid: 8, ...danmu };
const serverFrames: ServerFrame[] = [
  {
    type: FrameType.welcome,
    rid: 1,
    payload: {
      v: 1,
      cid: 'conn-1',
      uid: null,
      exp: 0,
      pi: 25_000,
      mf: 16_384,
      ts: 1_700_000_000_000,
    },
  },
  {
    type: FrameType.subscribed,
    rid: 2,
    payload: {
      ch: 'danmu:42',
      ep: 'e1',
      off: 19,
      rc: 1,
      pubs: [
        { off: 18, d: danmuData },
        { off: 19, d: danmuData },
      ],
    },
  },
  { type: FrameType.subscribed, rid: 3, payload: { ch: 'chat:9', ep: 'e2', off: 500, rc: 2 } },
  { type: FrameType.subscribed, rid: 3, payload: { ch: 'live:42', rc: 0 } },
  { type: FrameType.unsubscribed, rid: 0, payload: { ch: 'chat:9', c: 120 } },
  { type: FrameType.publication, rid: 0, payload: { ch: 'danmu:42', off: 20, d: danmuData } },
  {
    type: FrameType.batch,
    rid: 0,
    payload: {
      pubs: [
        { ch: 'live:42', d: { vn: 1200, lps: 3.5, dps: 12.25, apm: 61_000 } },
        { ch: 'feed', off: 4, d: { k: 1, ids: [1, 2, 3] } },
        {
          ch: 'chat:9',
          off: 501,
          d: { mid: 'm2', uid: 8, name: 'Ann', t: 'hi', ts: 1, cmid: 'c-0000002' },
        },
        { ch: 'dm:3', off: 7, d: { k: 'msg', mid: 'm3', from: 5, to: 3, t: 'yo', ts: 2 } },
        { ch: 'dm:5', off: 8, d: { k: 'rcpt', mid: 'm3', by: 3, r: 2, ts: 3 } },
        { ch: 'progress:3', off: 2, d: { eid: 42, pos: 1000, dur: 60_000, hlc } },
        { ch: 'live:creator:7', d: { vn: 1, lps: 0, dps: 0, apm: 0 } },
        {
          ch: 'notify:3',
          off: 1,
          d: { id: 'n1', k: 'episode.new', t: 'Episode 3 is out', url: '/series/x', ts: 4 },
        },
      ],
    },
  },
  {
    type: FrameType.historyResult,
    rid: 9,
    payload: { ch: 'danmu:42', pubs: [{ d: danmuData }], more: false },
  },
  { type: FrameType.ok, rid: 5, payload: { off: 21, mid: 'm9', dup: true } },
  { type: FrameType.ok, rid: 12, payload: { exp: 1_700_000_900_000 } },
  { type: FrameType.ok, rid: 10, payload: {} },
  {
    type: FrameType.error,
    rid: 6,
    payload: { c: errorCodes.BLOCKED.code, m: 'blocked', ch: 'dm:5' },
  },
  { type: FrameType.pong, rid: 11, payload: { ts: 1_700_000_000_001 } },
  { type: FrameType.ok, rid: 13, payload: { stale: true } },
  {
    type: FrameType.feedPage,
    rid: 14,
    payload: { items: [{ eid: 42, sid: 7 }], next: 'c2' },
  },
  { type: FrameType.feedPage, rid: 15, payload: { items: [] } },
  {
    type: FrameType.feedPage,
    rid: 16,
    payload: { items: [{ eid: 42, sid: 7, imp: 'rq_1.0' }], next: 'c3' },
  },
  {
    type: FrameType.watchAck,
    rid: 16,
    payload: { n: 1, rej: [{ i: 1, c: 'UNKNOWN_TYPE', m: 't: unknown event type "dance"' }] },
  },
];

test('every client frame type round-trips', () => {
  const seen = new Set<number>();
  for (const frame of clientFrames) {
    const decoded = decodeClientFrame(encodeFrame(frame));
    assert.ok(decoded.ok, `${frame.type}: ${JSON.stringify(decoded)}`);
    assert.deepEqual(decoded.frame, frame);
    seen.add(frame.type);
  }
  for (const type of Object.values(FrameType).filter((t) => t < 64))
    assert.ok(seen.has(type), `${type}`);
});

test('every server frame type round-trips', () => {
  const seen = new Set<number>();
  for (const frame of serverFrames) {
    const decoded = decodeServerFrame(encodeFrame(frame));
    assert.ok(decoded.ok, `${frame.type}: ${JSON.stringify(decoded)}`);
    assert.deepEqual(decoded.frame, frame);
    seen.add(frame.type);
  }
  for (const type of Object.values(FrameType).filter((t) => t >= 64))
    assert.ok(seen.has(type), `${type}`);
});

test('a decoded client frame carries its parsed channel', () => {
  const decoded = decodeClientFrame(encodeFrame(clientFrames[2]!));
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.channel, { kind: 'danmu', episodeId: 42 });
});

test('the envelope is compact: a ping is 4 bytes', () => {
  assert.deepEqual(
    [...encodeFrame({ type: FrameType.ping, rid: 11, payload: {} })],
    [0x93, 7, 11, 0x80],
  );
});

function clientCode(bytes: Uint8Array | unknown): string {
  const decoded = decodeClientFrame(bytes);
  return decoded.ok ? 'ok' : decoded.code;
}

const raw = (value: unknown) => encode(value);

test('bad input decodes to its documented code', () => {
  const cases: Array<[string, unknown, string]> = [
    ['random bytes', Uint8Array.from([0xc1, 0x13, 0x37, 0xff]), 'BAD_FRAME'],
    ['empty', new Uint8Array(0), 'BAD_FRAME'],
    ['a string, not bytes', 'hello', 'BAD_FRAME'],
    ['truncated MessagePack', raw([2, 1, { ch: 'danmu:42' }]).subarray(0, 8), 'BAD_FRAME'],
    ['trailing bytes', Uint8Array.from([...raw([7, 1, {}]), 0]), 'BAD_FRAME'],
    ['not an array', raw({ t: 7 }), 'BAD_FRAME'],
    ['envelope of 2', raw([7, 1]), 'BAD_FRAME'],
    ['type as string', raw(['ping', 1, {}]), 'BAD_FRAME'],
    ['payload as array', raw([7, 1, []]), 'BAD_FRAME'],
    ['rid 0 on a request', raw([7, 0, {}]), 'BAD_FRAME'],
    ['rid beyond uint32', raw([7, 2 ** 32, {}]), 'BAD_FRAME'],
    ['bin payload', raw([7, 1, { x: new Uint8Array(2) }]), 'BAD_FRAME'],
    ['ext (timestamp)', raw([7, 1, { x: new Date(0) }]), 'BAD_FRAME'],
    ['integer map key', Uint8Array.from([0x93, 7, 1, 0x81, 0x01, 0x01]), 'BAD_FRAME'],
    [
      '__proto__ key',
      Uint8Array.from([0x93, 7, 1, 0x81, 0xa9, ...new TextEncoder().encode('__proto__'), 0x80]),
      'BAD_FRAME',
    ],
    ['huge declared array', Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0]), 'BAD_FRAME'],
    ['unknown frame type', raw([99, 1, {}]), 'UNKNOWN_FRAME_TYPE'],
    ['server frame from a client', raw([FrameType.welcome, 1, {}]), 'UNKNOWN_FRAME_TYPE'],
    ['over the size limit', new Uint8Array(MAX_CLIENT_FRAME_BYTES + 1), 'FRAME_TOO_LARGE'],
    [
      'over the size limit, valid MessagePack',
      raw([
        4,
        1,
        { ch: 'chat:1', d: { t: 'x'.repeat(MAX_CLIENT_FRAME_BYTES), cmid: 'c-0000001' } },
      ]),
      'FRAME_TOO_LARGE',
    ],
    ['wrong types', raw([2, 1, { ch: 42 }]), 'INVALID_PAYLOAD'],
    ['unknown key', raw([7, 1, { x: 1 }]), 'INVALID_PAYLOAD'],
    [
      'float where an integer goes',
      raw([5, 1, { ch: 'danmu:1', from: 0.5, to: 10 }]),
      'INVALID_PAYLOAD',
    ],
    [
      'negative offset',
      raw([2, 1, { ch: 'danmu:1', rc: { ep: 'e', off: -1 } }]),
      'INVALID_PAYLOAD',
    ],
    ['newer protocol version', raw([1, 1, { v: PROTOCOL_VERSION + 1 }]), 'UNSUPPORTED_VERSION'],
    ['malformed channel', raw([2, 1, { ch: 'danmu:042' }]), 'UNKNOWN_CHANNEL'],
    ['unknown channel kind', raw([2, 1, { ch: 'admin:1' }]), 'UNKNOWN_CHANNEL'],
    ['publish on live', raw([4, 1, { ch: 'live:1', d: {} }]), 'NOT_AVAILABLE'],
    ['publish on notify', raw([4, 1, { ch: 'notify:1', d: {} }]), 'NOT_AVAILABLE'],
    ['history on chat', raw([5, 1, { ch: 'chat:1', from: 0, to: 10 }]), 'NOT_AVAILABLE'],
    ['ack on chat', raw([6, 1, { ch: 'chat:1', mid: '1', k: 1 }]), 'NOT_AVAILABLE'],
    ['recovery on live', raw([2, 1, { ch: 'live:1', rc: { ep: 'e', off: 1 } }]), 'NOT_AVAILABLE'],
    ['history window reversed', raw([5, 1, { ch: 'danmu:1', from: 10, to: 0 }]), 'INVALID_PAYLOAD'],
    [
      'history window too wide',
      raw([5, 1, { ch: 'danmu:1', from: 0, to: 3_600_000 }]),
      'INVALID_PAYLOAD',
    ],
    [
      'danmu with a bad colour',
      raw([4, 1, { ch: 'danmu:1', d: { ...danmu, col: 'red' } }]),
      'INVALID_PAYLOAD',
    ],
    [
      'danmu with an unknown mode',
      raw([4, 1, { ch: 'danmu:1', d: { ...danmu, mode: 3 } }]),
      'INVALID_PAYLOAD',
    ],
    [
      'danmu with markup',
      raw([4, 1, { ch: 'danmu:1', d: { ...danmu, t: '<b>hi</b>' } }]),
      'TEXT_REJECTED',
    ],
    [
      'danmu with a control character',
      raw([4, 1, { ch: 'danmu:1', d: { ...danmu, t: 'hi\u0007' } }]),
      'TEXT_REJECTED',
    ],
    [
      'danmu with a bidi override',
      raw([4, 1, { ch: 'danmu:1', d: { ...danmu, t: 'a\u202Eb' } }]),
      'TEXT_REJECTED',
    ],
    [
      'danmu of only zero-width spaces',
      raw([4, 1, { ch: 'danmu:1', d: { ...danmu, t: '\u200B\u200B' } }]),
      'TEXT_REJECTED',
    ],
    [
      'progress past its duration',
      raw([4, 1, { ch: 'progress:1', d: { eid: 1, pos: 10, dur: 5, hlc } }]),
      'INVALID_PAYLOAD',
    ],
    [
      'progress with a far-future stamp',
      raw([
        4,
        1,
        { ch: 'progress:1', d: { eid: 1, pos: 1, dur: 5, hlc: { ...hlc, wallMs: 2 ** 50 } } },
      ]),
      'INVALID_PAYLOAD',
    ],
  ];
  for (const [name, input, code] of cases) {
    assert.equal(clientCode(input), code, name);
    assert.ok(code in errorCodes, `${code} is a documented code`);
  }
});

test('deep nesting is refused before decoding', () => {
  let value: unknown = 1;
  for (let i = 0; i < MAX_DEPTH; i += 1) value = [value];
  assert.equal(clientCode(raw([4, 1, { ch: 'chat:1', d: value }])), 'TOO_DEEP');
  // 10 000 nested arrays: one byte each, well under the size limit.
  assert.equal(clientCode(new Uint8Array(10_000).fill(0x91)), 'TOO_DEEP');
  assert.equal(decodeServerFrame(new Uint8Array(100_000).fill(0x81)).ok, false);
});

test('accepted text is the sanitised text, and colours are lower-cased', () => {
  const decoded = decodeClientFrame(
    raw([4, 1, { ch: 'danmu:1', d: { ...danmu, t: '  so\u200B   good  ', col: '#FFCC00' } }]),
  );
  assert.ok(decoded.ok && decoded.frame.type === FrameType.publish);
  assert.deepEqual(decoded.frame.payload.d, { ...danmu, t: 'so good', col: '#ffcc00' });
});

test('server frames are validated too', () => {
  const code = (value: unknown) => {
    const decoded = decodeServerFrame(raw(value));
    return decoded.ok ? 'ok' : decoded.code;
  };
  assert.equal(code([FrameType.ping, 1, {}]), 'UNKNOWN_FRAME_TYPE');
  assert.equal(
    code([FrameType.publication, 0, { ch: 'danmu:1', d: danmuData }]),
    'INVALID_PAYLOAD',
  );
  assert.equal(
    code([
      FrameType.publication,
      0,
      { ch: 'live:1', off: 1, d: { vn: 1, lps: 0, dps: 0, apm: 0 } },
    ]),
    'INVALID_PAYLOAD',
  );
  assert.equal(
    code([FrameType.publication, 0, { ch: 'danmu:1', off: 1, d: { ...danmuData, mode: 9 } }]),
    'INVALID_PAYLOAD',
  );
  assert.equal(
    code([FrameType.publication, 0, { ch: 'danmu:x', off: 1, d: danmuData }]),
    'UNKNOWN_CHANNEL',
  );
  assert.equal(code([FrameType.batch, 0, { pubs: [] }]), 'INVALID_PAYLOAD');
  assert.equal(
    code([FrameType.welcome, 1, { v: 2, cid: 'c', uid: 1, exp: 0, pi: 25_000, mf: 16_384, ts: 0 }]),
    'UNSUPPORTED_VERSION',
  );
  assert.equal(
    code([FrameType.historyResult, 1, { ch: 'chat:1', pubs: [], more: false }]),
    'NOT_AVAILABLE',
  );
});

test('an ArrayBuffer is accepted as well as a Uint8Array', () => {
  const bytes = encodeFrame({ type: FrameType.ping, rid: 1, payload: {} });
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  assert.equal(clientCode(copy), 'ok');
});

test('the protocol is importable through the package exports', async () => {
  const frames = await import('@binge/core/protocol/realtime/frames');
  const codec = await import('@binge/core/protocol/realtime/codec');
  assert.equal(frames.PROTOCOL_VERSION, PROTOCOL_VERSION);
  assert.equal(typeof codec.decodeClientFrame, 'function');
});
