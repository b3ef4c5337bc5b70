import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { decodeClientFrame, decodeServerFrame } from './codec.ts';
import { errorCodes } from './codes.ts';

/** mulberry32: a small seeded PRNG, so every run feeds the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds = [
  encode([1, 1, { v: 1, tk: 'a.b.c' }]),
  encode([2, 2, { ch: 'danmu:42', rc: { ep: 'e1', off: 17 } }]),
  encode([
    4,
    3,
    { ch: 'danmu:42', d: { t: 'hi', pos: 1, mode: 0, col: '#ffffff', size: 1, cmid: 'c-0000001' } },
  ]),
  encode([
    4,
    4,
    { ch: 'progress:3', d: { eid: 1, pos: 1, dur: 2, hlc: { wallMs: 1, counter: 0, node: 'n' } } },
  ]),
  encode([67, 0, { ch: 'chat:9', off: 1, d: { mid: 'm', uid: 1, name: 'a', t: 'x', ts: 1 } }]),
  encode([68, 0, { pubs: [{ ch: 'live:1', d: { vn: 1, lps: 0, dps: 0, apm: 0 } }] }]),
];

function assertCoded(
  result: ReturnType<typeof decodeClientFrame> | ReturnType<typeof decodeServerFrame>,
) {
  if (result.ok) return;
  assert.ok(result.code in errorCodes, `undocumented code ${result.code}`);
  assert.equal(typeof result.message, 'string');
}

test('random byte strings never throw and always give ok or a documented code', () => {
  const random = prng(20240601);
  for (let i = 0; i < 3000; i += 1) {
    const length = Math.floor(random() * 64);
    const bytes = new Uint8Array(length);
    for (let j = 0; j < length; j += 1) bytes[j] = Math.floor(random() * 256);
    assertCoded(decodeClientFrame(bytes));
    assertCoded(decodeServerFrame(bytes));
  }
});

test('mutated valid frames never throw and always give ok or a documented code', () => {
  const random = prng(7);
  let accepted = 0;
  for (let i = 0; i < 5000; i += 1) {
    const bytes = Uint8Array.from(seeds[i % seeds.length]!);
    const mutations = 1 + Math.floor(random() * 4);
    let mutated: Uint8Array = bytes;
    for (let m = 0; m < mutations; m += 1) {
      const at = Math.floor(random() * mutated.length);
      const choice = random();
      if (choice < 0.5) mutated[at] = Math.floor(random() * 256);
      else if (choice < 0.7) mutated = mutated.subarray(0, at);
      else if (choice < 0.85)
        mutated = Uint8Array.from([...mutated.subarray(0, at), ...mutated.subarray(at + 1)]);
      else
        mutated = Uint8Array.from([
          ...mutated.subarray(0, at),
          Math.floor(random() * 256),
          ...mutated.subarray(at),
        ]);
      if (mutated.length === 0) break;
    }
    const client = decodeClientFrame(mutated);
    const server = decodeServerFrame(mutated);
    assertCoded(client);
    assertCoded(server);
    if (client.ok || server.ok) accepted += 1;
  }
  // Some mutations (a digit in a text) stay valid; most must not.
  assert.ok(accepted < 5000);
});
