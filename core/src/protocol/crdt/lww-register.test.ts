import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHlc } from './hlc.ts';
import { compareStamps, type HlcStamp } from './hlc-stamp.ts';
import { mergeIntoRegister, mergeRegister, type LwwRegister } from './lww-register.ts';
import { seededRandom, type SeededRandom } from './seeded-random.ts';

interface Progress {
  positionMs: number;
  completed: boolean;
}

/** Small ranges on purpose: equal stamps (a misbehaving replica) and equal wallMs come up often. */
function randomRegister(random: SeededRandom): LwwRegister<Progress> {
  const stamp: HlcStamp = {
    wallMs: random.int(0, 5),
    counter: random.int(0, 2),
    node: random.pick(['a', 'b']),
  };
  return { value: { positionMs: random.int(0, 3) * 1000, completed: random.next() < 0.2 }, stamp };
}

test('mergeRegister is commutative, associative and idempotent (equal stamps included)', () => {
  const random = seededRandom(21);
  for (let i = 0; i < 5000; i += 1) {
    const [a, b, c] = [randomRegister(random), randomRegister(random), randomRegister(random)];
    assert.deepEqual(mergeRegister(a, b), mergeRegister(b, a));
    assert.deepEqual(mergeRegister(mergeRegister(a, b), c), mergeRegister(a, mergeRegister(b, c)));
    assert.deepEqual(mergeRegister(a, a), a);
    assert.deepEqual(mergeRegister(mergeRegister(a, b), b), mergeRegister(a, b));
  }
});

test('replicas receiving the same writes in any order, with duplicates, converge on the latest', () => {
  for (let seed = 1; seed <= 100; seed += 1) {
    const random = seededRandom(seed);
    // Three devices with skewed clocks write progress; the server HLC admits each stamp.
    const wall = { ms: 1_700_000_000_000 };
    const devices = ['phone', 'tablet', 'tv'].map((node) => {
      const skew = random.int(-30_000, 30_000);
      return createHlc({ node, now: () => wall.ms + skew });
    });
    const writes: LwwRegister<Progress>[] = [];
    for (let i = 0; i < 30; i += 1) {
      wall.ms += random.int(0, 2_000);
      const device = random.pick(devices);
      // Sometimes a device hears of another's write first (a reply or a push), as in the app.
      if (writes.length > 0 && random.next() < 0.3) device.receive(random.pick(writes).stamp);
      writes.push({
        value: { positionMs: random.int(0, 120_000), completed: false },
        stamp: device.now(),
      });
    }
    const merge = (x: LwwRegister<Progress>, y: LwwRegister<Progress>) => mergeRegister(x, y);
    const deliveries = (order: LwwRegister<Progress>[]) => [
      ...order,
      ...order.slice(0, random.int(0, 10)),
    ];
    const replicaA = random.shuffle(deliveries(writes)).reduce(merge);
    const replicaB = random.shuffle(deliveries(random.shuffle(writes))).reduce(merge);
    const latest = [...writes].sort((x, y) => compareStamps(x.stamp, y.stamp)).at(-1);
    assert.deepEqual(replicaA, latest, `seed ${seed}`);
    assert.deepEqual(replicaB, latest, `seed ${seed}`);
  }
});

test('a stale device coming back online never rewinds a newer position', () => {
  const phone = createHlc({ node: 'phone', now: () => 1_000_000 });
  const tv = createHlc({ node: 'tv', now: () => 1_000_000 });
  const offlineWrite = { value: { positionMs: 10_000, completed: false }, stamp: phone.now() };
  tv.receive(offlineWrite.stamp); // the TV saw the phone's earlier state, then kept watching
  const newer = { value: { positionMs: 50_000, completed: false }, stamp: tv.now() };
  const stored = mergeIntoRegister(undefined, newer);
  assert.equal(mergeIntoRegister(stored, offlineWrite).value.positionMs, 50_000);
  assert.equal(mergeRegister(offlineWrite, stored).value.positionMs, 50_000);
});

test('equal stamps with different values: the greater value wins on every replica', () => {
  const stamp = { wallMs: 5, counter: 0, node: 'a' };
  const low = { value: { positionMs: 1000, completed: false }, stamp };
  const high = { value: { positionMs: 2000, completed: false }, stamp };
  assert.equal(mergeRegister(low, high), high);
  assert.equal(mergeRegister(high, low), high);
  const byCompleted = (x: Progress, y: Progress) =>
    Number(x.completed) - Number(y.completed) || x.positionMs - y.positionMs;
  const done = { value: { positionMs: 0, completed: true }, stamp };
  assert.equal(mergeRegister(high, done, byCompleted), done);
  assert.equal(mergeRegister(done, high, byCompleted), done);
  // Equal in every respect: the first argument comes back unchanged.
  const twin = { value: { completed: false, positionMs: 2000 }, stamp: { ...stamp } };
  assert.equal(mergeRegister(high, twin), high);
});
