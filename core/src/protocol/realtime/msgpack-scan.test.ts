import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { scanMsgpack } from './msgpack-scan.ts';

test('well-formed values within the depth pass', () => {
  for (const value of [
    null,
    true,
    -1,
    2 ** 40,
    1.5,
    'x'.repeat(300),
    [],
    {},
    [1, [2, [3]]],
    { a: { b: [1] } },
  ]) {
    assert.deepEqual(scanMsgpack(encode(value), 4), { ok: true }, JSON.stringify(value));
  }
});

test('depth counts arrays and maps, the root being 1', () => {
  assert.deepEqual(scanMsgpack(encode([[[]]]), 3), { ok: true });
  assert.deepEqual(scanMsgpack(encode([[[[]]]]), 3), { ok: false, reason: 'tooDeep' });
  assert.deepEqual(scanMsgpack(encode({ a: { b: {} } }), 2), { ok: false, reason: 'tooDeep' });
});

test('truncation, trailing bytes, reserved, bin, ext and non-string keys are malformed', () => {
  const bad = [
    encode([1, 2, 3]).subarray(0, 3),
    encode('abc').subarray(0, 2),
    Uint8Array.from([...encode(1), 1]),
    Uint8Array.from([0xc1]),
    encode(new Uint8Array(1)),
    encode(new Date(0)),
    Uint8Array.from([0x81, 0x01, 0x01]),
    Uint8Array.from([0xdc, 0xff]),
    Uint8Array.from([0xdf, 0xff, 0xff, 0xff, 0xff]),
    new Uint8Array(0),
  ];
  for (const bytes of bad)
    assert.deepEqual(scanMsgpack(bytes, 8), { ok: false, reason: 'malformed' }, `${[...bytes]}`);
});
