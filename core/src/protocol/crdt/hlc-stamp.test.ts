import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  InvalidStampError,
  assertStamp,
  compareStamps,
  decodeStamp,
  encodeStamp,
  isNodeId,
  maxCounter,
  maxWallMs,
  validateStamp,
  type HlcStamp,
} from './hlc-stamp.ts';
import { seededRandom, type SeededRandom } from './seeded-random.ts';

/** Node ids chosen so that prefixes, case and the '-' / '_' / digit boundaries all meet. */
const nodes = ['a', 'ab', 'abc', 'A', 'Z', 'z', '-', '_', '0', '9', 'a-b', 'a_b', 'x'.repeat(32)];

function randomStamp(random: SeededRandom): HlcStamp {
  const wallChoices = [0, 1, 9, 10, random.int(0, 2 ** 41), maxWallMs, maxWallMs - 1];
  return {
    wallMs: random.pick(wallChoices),
    counter: random.pick([0, 1, 9, 10, random.int(0, maxCounter), maxCounter]),
    node: random.pick(nodes),
  };
}

const sign = (n: number) => (n > 0 ? 1 : n < 0 ? -1 : 0);

test('encode/decode round-trips every valid stamp, edges included', () => {
  const random = seededRandom(1);
  for (let i = 0; i < 2000; i += 1) {
    const stamp = randomStamp(random);
    const text = encodeStamp(stamp);
    assert.deepEqual(decodeStamp(text), stamp);
    assert.equal(encodeStamp(decodeStamp(text)), text);
  }
  assert.equal(
    encodeStamp({ wallMs: 1_718_000_000_123, counter: 7, node: 'api-3' }),
    '001718000000123-00007-api-3',
  );
  assert.equal(encodeStamp({ wallMs: 0, counter: 0, node: 'a' }), '000000000000000-00000-a');
  assert.equal(
    encodeStamp({ wallMs: maxWallMs, counter: maxCounter, node: 'a' }),
    '281474976710655-65535-a',
  );
});

test('lexical order of encodings is compareStamps order', () => {
  const random = seededRandom(2);
  for (let i = 0; i < 5000; i += 1) {
    const a = randomStamp(random);
    const b = randomStamp(random);
    const ea = encodeStamp(a);
    const eb = encodeStamp(b);
    const lexical = ea === eb ? 0 : ea < eb ? -1 : 1;
    assert.equal(lexical, compareStamps(a, b), `${ea} vs ${eb}`);
  }
  const stamps = Array.from({ length: 500 }, () => randomStamp(random));
  const byStamp = [...stamps].sort(compareStamps).map(encodeStamp);
  const byText = stamps.map(encodeStamp).sort();
  assert.deepEqual(byText, byStamp);
});

test('compareStamps is a total order: antisymmetric, transitive, 0 only for equal stamps', () => {
  const random = seededRandom(3);
  for (let i = 0; i < 3000; i += 1) {
    const [a, b, c] = [randomStamp(random), randomStamp(random), randomStamp(random)];
    assert.equal(sign(compareStamps(a, b)), sign(-compareStamps(b, a)));
    if (compareStamps(a, b) <= 0 && compareStamps(b, c) <= 0) assert.ok(compareStamps(a, c) <= 0);
    assert.equal(
      compareStamps(a, b) === 0,
      a.wallMs === b.wallMs && a.counter === b.counter && a.node === b.node,
    );
  }
  assert.equal(
    compareStamps({ wallMs: 2, counter: 0, node: 'a' }, { wallMs: 1, counter: 9, node: 'z' }),
    1,
  );
  assert.equal(
    compareStamps({ wallMs: 1, counter: 1, node: 'a' }, { wallMs: 1, counter: 0, node: 'z' }),
    1,
  );
  assert.equal(
    compareStamps({ wallMs: 1, counter: 0, node: 'a' }, { wallMs: 1, counter: 0, node: 'b' }),
    -1,
  );
});

test('validation rejects NaN, infinities, negatives, floats, non-numbers and out-of-range parts', () => {
  const good = { wallMs: 1_718_000_000_000, counter: 3, node: 'device_1' };
  const badWall = [
    NaN,
    Infinity,
    -Infinity,
    -1,
    1.5,
    maxWallMs + 1,
    2 ** 53,
    '5',
    null,
    undefined,
    5n,
  ];
  const badCounter = [
    NaN,
    Infinity,
    -1,
    0.5,
    maxCounter + 1,
    2 ** 31,
    2 ** 53,
    '0',
    null,
    undefined,
  ];
  for (const wallMs of badWall) {
    const check = validateStamp({ ...good, wallMs });
    assert.equal(check.ok, false, `wallMs ${String(wallMs)}`);
    assert.throws(() => assertStamp({ ...good, wallMs }), InvalidStampError);
  }
  for (const counter of badCounter) {
    assert.equal(validateStamp({ ...good, counter }).ok, false, `counter ${String(counter)}`);
  }
  for (const value of [null, undefined, 42, 'stamp', [], [1, 2, 'a'], { wallMs: 1, counter: 0 }]) {
    assert.equal(validateStamp(value).ok, false, JSON.stringify(value));
  }
  assert.equal(validateStamp(good).ok, true);
});

test('node ids: 1 to 32 URL-safe base64 characters', () => {
  for (const node of ['a', 'Z9', 'api-3', 'dev_ice', 'x'.repeat(32), 'AAAAAAAAAAAAAAAAAAAAAA']) {
    assert.ok(isNodeId(node), node);
  }
  const bad = [
    '',
    'x'.repeat(33),
    'a b',
    'a.b',
    'a:b',
    'é',
    '设备',
    'a\n',
    'a/b',
    7,
    null,
    undefined,
  ];
  for (const node of bad) {
    assert.equal(isNodeId(node), false, JSON.stringify(node));
    const check = validateStamp({ wallMs: 1, counter: 0, node });
    assert.equal(check.ok, false);
    if (!check.ok) assert.match(check.reason, /node/);
  }
});

test('a validated stamp is a fresh object with only the three fields, -0 normalised', () => {
  const input = { wallMs: -0, counter: -0, node: 'n1', admin: true, __proto__: { polluted: 1 } };
  const stamp = assertStamp(input);
  assert.deepEqual(Object.keys(stamp).sort(), ['counter', 'node', 'wallMs']);
  assert.ok(Object.is(stamp.wallMs, 0) && Object.is(stamp.counter, 0));
  assert.equal(Object.getPrototypeOf(stamp), Object.prototype);
  assert.equal(encodeStamp(stamp), '000000000000000-00000-n1');
});

test('decodeStamp rejects anything but the exact encoding', () => {
  const bad = [
    '',
    '1-2-a',
    '001718000000123-00007-',
    '001718000000123-00007-a b',
    '001718000000123-0007-a',
    '01718000000123-00007-a',
    '001718000000123-00007',
    '-01718000000123-00007-a',
    '001718000000123-99999-a',
    '999999999999999-00000-a',
    '001718000000123-00007-' + 'x'.repeat(33),
    '001718000000123_00007_a',
    ' 001718000000123-00007-a',
    '001718000000123-00007-a\n',
    '００1718000000123-00007-a',
  ];
  for (const text of bad)
    assert.throws(() => decodeStamp(text), InvalidStampError, JSON.stringify(text));
  assert.throws(() => decodeStamp(42 as unknown as string), InvalidStampError);
  assert.throws(() => encodeStamp({ wallMs: 1.5, counter: 0, node: 'a' }), {
    code: 'INVALID_STAMP',
  });
});
