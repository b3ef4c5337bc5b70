import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  BRIDGE_VERSION,
  bridgeErrorCodes,
  bridgeEventNames,
  bridgeLimits,
  checkEvent,
  checkPayload,
  checkReply,
  checkResult,
  decodeNativeMessage,
  decodePageMessage,
  encodeEvent,
  encodeFailure,
  encodeRefused,
  encodeRequest,
  encodeSuccess,
  requestKinds,
  type BridgeReply,
} from './webview-bridge.ts';

function codeOf(result: { ok: boolean; code?: string }): string | undefined {
  return result.ok ? undefined : result.code;
}

test('a request round-trips through the native decoder for every kind', () => {
  const samples = {
    purchase: { type: 'episode', episodeId: 42, orderRef: 'ord_1' },
    share: { title: 'Ep 1', text: '看这个', url: 'https://binge.example/watch/1' },
    networkType: {},
    haptic: { style: 'success' },
    safeArea: {},
  } as const;
  assert.deepEqual(Object.keys(samples).sort(), [...requestKinds].sort());
  for (const kind of requestKinds) {
    const decoded = decodePageMessage(encodeRequest('r1', kind, samples[kind] as never));
    assert.ok(decoded.ok, `${kind}: ${JSON.stringify(decoded)}`);
    assert.equal(decoded.message.type, 'request');
    if (decoded.message.type === 'request') {
      assert.equal(decoded.message.request.kind, kind);
      assert.deepEqual(decoded.message.request.payload, samples[kind]);
    }
  }
});

test('page messages that are not requests get codes, with the id when it was readable', () => {
  const cases: Array<[unknown, string, string | undefined]> = [
    ['not json', 'BAD_MESSAGE', undefined],
    ['[1,2]', 'BAD_MESSAGE', undefined],
    [42, 'BAD_MESSAGE', undefined],
    [null, 'BAD_MESSAGE', undefined],
    [
      JSON.stringify({ v: 2, id: 'a', kind: 'share', payload: {} }),
      'UNSUPPORTED_VERSION',
      undefined,
    ],
    [JSON.stringify({ v: 1, kind: 'share', payload: {} }), 'BAD_MESSAGE', undefined],
    [JSON.stringify({ v: 1, id: 'a b', kind: 'share', payload: {} }), 'BAD_MESSAGE', undefined],
    [JSON.stringify({ v: 1, id: 'a', kind: 'teleport', payload: {} }), 'UNKNOWN_KIND', 'a'],
    [JSON.stringify({ v: 1, id: 'a', kind: 'toString', payload: {} }), 'UNKNOWN_KIND', 'a'],
    [
      JSON.stringify({ v: 1, id: 'a', kind: 'haptic', payload: { style: 'boom' } }),
      'INVALID_PAYLOAD',
      'a',
    ],
    [JSON.stringify({ v: 1, id: 'a', kind: 'haptic', payload: {}, x: 1 }), 'BAD_MESSAGE', 'a'],
    [
      JSON.stringify({
        v: 1,
        id: 'a',
        kind: 'share',
        payload: { title: 't', text: 't', url: 'javascript:alert(1)' },
      }),
      'INVALID_PAYLOAD',
      'a',
    ],
    [
      JSON.stringify({
        v: 1,
        id: 'a',
        kind: 'purchase',
        payload: { type: 'episode', episodeId: 0 },
      }),
      'INVALID_PAYLOAD',
      'a',
    ],
  ];
  for (const [input, code, re] of cases) {
    const decoded = decodePageMessage(input);
    assert.equal(codeOf(decoded), code, `${String(input)}`);
    if (!decoded.ok) assert.equal(decoded.re, re, `${String(input)}`);
  }
});

test('oversized strings are refused: the whole message before parsing, a field by its schema', () => {
  const huge = 'x'.repeat(bridgeLimits.maxMessageChars + 1);
  assert.equal(codeOf(decodePageMessage(huge)), 'MESSAGE_TOO_LARGE');
  assert.equal(codeOf(decodeNativeMessage(huge)), 'MESSAGE_TOO_LARGE');
  const longTitle = encodeRequest('a', 'share', {
    title: 't'.repeat(bridgeLimits.maxTitleChars + 1),
    text: '',
    url: 'https://x.example/',
  });
  assert.equal(codeOf(decodePageMessage(longTitle)), 'INVALID_PAYLOAD');
  const bigObject = { v: 1, event: 'appState', payload: { state: 'x'.repeat(40_000) } };
  assert.equal(codeOf(decodeNativeMessage(bigObject)), 'MESSAGE_TOO_LARGE');
});

test('replies and events decode from text and from objects; results are checked per kind', () => {
  const ok = decodeNativeMessage(
    encodeSuccess('r1', 'networkType', { type: 'wifi', saveData: false }),
  );
  assert.ok(ok.ok && ok.message.type === 'reply');
  const typed = checkReply('networkType', ok.message.reply);
  assert.ok(typed.ok && typed.reply.ok && typed.reply.result.type === 'wifi');
  const wrongKind = checkReply('safeArea', ok.message.reply);
  assert.equal(codeOf(wrongKind), 'INVALID_PAYLOAD');
  if (!wrongKind.ok) assert.equal(wrongKind.re, 'r1');

  const failure = decodeNativeMessage(
    encodeFailure('r2', { code: 'STORE_DOWN', message: 'Play is down' }),
  );
  assert.ok(failure.ok && failure.message.type === 'reply' && !failure.message.reply.ok);

  const event = decodeNativeMessage({ v: 1, event: 'screenRecording', payload: { active: true } });
  assert.ok(event.ok && event.message.type === 'event');
  assert.deepEqual(event.message.event.payload, { active: true });
});

test('malformed native messages get codes and never throw', () => {
  const cases: Array<[unknown, string]> = [
    ['{', 'BAD_MESSAGE'],
    [JSON.stringify({ v: 1 }), 'BAD_MESSAGE'],
    [JSON.stringify({ v: 0, re: 'a', ok: true, result: {} }), 'UNSUPPORTED_VERSION'],
    [JSON.stringify({ v: 1, re: 'a', ok: 'yes' }), 'BAD_MESSAGE'],
    [JSON.stringify({ v: 1, re: 'a', ok: true }), 'INVALID_PAYLOAD'],
    [
      JSON.stringify({ v: 1, re: 'a', ok: false, error: { code: 'lower', message: '' } }),
      'INVALID_PAYLOAD',
    ],
    [JSON.stringify({ v: 1, event: 'earthquake', payload: {} }), 'UNKNOWN_EVENT'],
    [JSON.stringify({ v: 1, event: 'appState', payload: { state: 'asleep' } }), 'INVALID_PAYLOAD'],
    [
      JSON.stringify({
        v: 1,
        event: 'safeAreaChange',
        payload: { top: -1, right: 0, bottom: 0, left: 0 },
      }),
      'INVALID_PAYLOAD',
    ],
    [JSON.stringify({ v: 1, event: '__proto__', payload: {} }), 'UNKNOWN_EVENT'],
  ];
  for (const [input, code] of cases)
    assert.equal(codeOf(decodeNativeMessage(input)), code, String(input));

  const cyclic: Record<string, unknown> = { v: 1 };
  cyclic.self = cyclic;
  assert.equal(codeOf(decodeNativeMessage(cyclic)), 'BAD_MESSAGE');
  const hostile = {
    get v(): number {
      throw new Error('boom');
    },
  };
  assert.equal(codeOf(decodeNativeMessage(hostile)), 'BAD_MESSAGE');
  assert.equal(codeOf(decodePageMessage(hostile)), 'BAD_MESSAGE');
});

test('purchase results need a receipt or an order id when purchased', () => {
  assert.equal(
    checkResult('purchase', { status: 'purchased', store: 'google', receipt: 'tok' }),
    null,
  );
  assert.equal(
    checkResult('purchase', { status: 'purchased', store: 'apple', orderId: 'o1' }),
    null,
  );
  assert.equal(
    checkResult('purchase', { status: 'purchased', store: 'apple' })?.code,
    'INVALID_PAYLOAD',
  );
  assert.equal(checkResult('purchase', { status: 'pending', store: 'wechat' }), null);
  assert.equal(checkResult('purchase', { status: 'cancelled' }), null);
  assert.equal(
    checkResult('purchase', {
      status: 'unavailable',
      code: 'PURCHASE_UNAVAILABLE',
      checkout: 'web',
    }),
    null,
  );
  const receipt = 'r'.repeat(bridgeLimits.maxReceiptChars + 1);
  assert.equal(
    checkResult('purchase', { status: 'purchased', store: 'apple', receipt })?.code,
    'INVALID_PAYLOAD',
  );
  assert.equal(checkPayload('purchase', { type: 'coins', packId: 'coins_60' }), null);
  assert.equal(checkPayload('purchase', { type: 'coins' })?.code, 'INVALID_PAYLOAD');
});

test('events and refusal notices round-trip; every event name has a schema', () => {
  for (const name of bridgeEventNames) assert.notEqual(checkEvent(name, {}), null, name);
  const event = decodeNativeMessage(encodeEvent('appState', { state: 'background' }));
  assert.ok(event.ok && event.message.type === 'event' && event.message.event.event === 'appState');
  const notice = decodePageMessage(encodeRefused('UNKNOWN_EVENT', 'x'.repeat(1_000), 'r9'));
  assert.ok(notice.ok && notice.message.type === 'refused');
  if (notice.ok && notice.message.type === 'refused') {
    assert.equal(notice.message.refused.code, 'UNKNOWN_EVENT');
    assert.equal(notice.message.refused.re, 'r9');
    assert.equal(notice.message.refused.message.length, bridgeLimits.maxMessageTextChars);
  }
  assert.equal(
    codeOf(decodePageMessage({ v: 1, refused: { code: 'MADE_UP', message: '' } })),
    'INVALID_PAYLOAD',
  );
});

test('every error code is documented in the mobile-webview README', () => {
  const readme = readFileSync(
    path.resolve(import.meta.dirname, '../../../mobile-webview/README.md'),
    'utf8',
  );
  for (const code of Object.keys(bridgeErrorCodes)) {
    assert.ok(readme.includes(`\`${code}\``), `${code} is documented`);
  }
  assert.equal(BRIDGE_VERSION, 1);
});

test('a reply type carries its own shape after checkReply', () => {
  const reply: BridgeReply = {
    v: 1,
    re: 'a',
    ok: true,
    result: { top: 1, right: 0, bottom: 34, left: 0 },
  };
  const checked = checkReply('safeArea', reply);
  assert.ok(checked.ok && checked.reply.ok);
  if (checked.ok && checked.reply.ok) assert.equal(checked.reply.result.bottom, 34);
});

test('random input never throws and always answers a known code', () => {
  let seed = 0x2f6e2b1;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const atoms = [0, 1, -1, 1.5, '', 'x', 'appState', 'share', 'v', true, false, null, [], {}];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const keys = ['v', 'id', 're', 'ok', 'kind', 'event', 'payload', 'result', 'error', 'refused'];
  function value(depth: number): unknown {
    if (depth > 3 || random() < 0.4) return pick(atoms);
    if (random() < 0.2) return [value(depth + 1), value(depth + 1)];
    const object: Record<string, unknown> = random() < 0.7 ? { v: 1 } : {};
    const count = Math.floor(random() * 4);
    for (let i = 0; i < count; i += 1) object[pick(keys)] = value(depth + 1);
    return object;
  }
  const codes = new Set(Object.keys(bridgeErrorCodes));
  for (let i = 0; i < 3_000; i += 1) {
    const input = value(0);
    const asText = random() < 0.5 ? JSON.stringify(input) : input;
    for (const decoded of [decodeNativeMessage(asText), decodePageMessage(asText)]) {
      if (!decoded.ok) assert.ok(codes.has(decoded.code), decoded.code);
    }
  }
});
