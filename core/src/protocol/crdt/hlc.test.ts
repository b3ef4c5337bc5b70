import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HlcDriftError, createHlc } from './hlc.ts';
import { InvalidStampError, compareStamps, maxCounter, type HlcStamp } from './hlc-stamp.ts';
import { seededRandom } from './seeded-random.ts';

/** A wall clock the test moves by hand, backwards included. */
function manualClock(startMs: number) {
  let ms = startMs;
  return {
    now: () => ms,
    set(value: number) {
      ms = value;
    },
  };
}

test('now() and receive() stamps strictly increase while the wall clock jumps back and forth', () => {
  for (let seed = 1; seed <= 50; seed += 1) {
    const random = seededRandom(seed);
    const clock = manualClock(1_700_000_000_000);
    const hlc = createHlc({ node: 'local', now: clock.now, maxDriftMs: 5_000 });
    let previous: HlcStamp | undefined;
    for (let step = 0; step < 400; step += 1) {
      // Mostly small steps, sometimes a jump back of up to 10 s (NTP correction, user changes clock).
      const roll = random.next();
      const delta = roll < 0.1 ? -random.int(0, 10_000) : roll < 0.4 ? 0 : random.int(0, 50);
      clock.set(clock.now() + delta);
      let stamp: HlcStamp;
      if (random.next() < 0.5) {
        stamp = hlc.now();
      } else {
        const remote: HlcStamp = {
          wallMs: clock.now() + random.int(-20_000, 5_000),
          counter: random.int(0, random.next() < 0.1 ? maxCounter : 5),
          node: random.pick(['peer-a', 'peer-b', 'local', 'a']),
        };
        stamp = hlc.receive(remote);
        assert.equal(compareStamps(stamp, remote), 1, 'a receive event is after the message');
      }
      assert.equal(stamp.node, 'local');
      assert.ok(stamp.wallMs >= clock.now(), 'logical time never lags the wall clock');
      if (previous) assert.equal(compareStamps(stamp, previous), 1, `seed ${seed} step ${step}`);
      assert.deepEqual(hlc.peek(), stamp);
      previous = stamp;
    }
  }
});

test('follows the wall clock when it moves forward: counter resets to 0', () => {
  const clock = manualClock(1000);
  const hlc = createHlc({ node: 'n', now: clock.now });
  assert.deepEqual(hlc.now(), { wallMs: 1000, counter: 0, node: 'n' });
  assert.deepEqual(hlc.now(), { wallMs: 1000, counter: 1, node: 'n' });
  clock.set(900);
  assert.deepEqual(hlc.now(), { wallMs: 1000, counter: 2, node: 'n' });
  clock.set(1001);
  assert.deepEqual(hlc.now(), { wallMs: 1001, counter: 0, node: 'n' });
  clock.set(1001.9);
  assert.deepEqual(hlc.now(), { wallMs: 1001, counter: 1, node: 'n' });
});

test('receive follows Kulkarni et al. case by case', () => {
  const clock = manualClock(1000);
  const hlc = createHlc({ node: 'n', now: clock.now });
  hlc.now(); // (1000, 0)
  // Remote ahead of both: take its wallMs, counter + 1.
  assert.deepEqual(hlc.receive({ wallMs: 1500, counter: 4, node: 'r' }), {
    wallMs: 1500,
    counter: 5,
    node: 'n',
  });
  // Same wallMs as ours and the remote's: max counter + 1.
  assert.deepEqual(hlc.receive({ wallMs: 1500, counter: 9, node: 'r' }), {
    wallMs: 1500,
    counter: 10,
    node: 'n',
  });
  // Remote behind: our counter + 1.
  assert.deepEqual(hlc.receive({ wallMs: 10, counter: 99, node: 'r' }), {
    wallMs: 1500,
    counter: 11,
    node: 'n',
  });
  // Wall clock ahead of both: physical time, counter 0.
  clock.set(2000);
  assert.deepEqual(hlc.receive({ wallMs: 1600, counter: 3, node: 'r' }), {
    wallMs: 2000,
    counter: 0,
    node: 'n',
  });
});

test('a remote stamp more than maxDriftMs ahead is refused and leaves the clock as it was', () => {
  const clock = manualClock(1_000_000);
  const hlc = createHlc({ node: 'n', now: clock.now, maxDriftMs: 60_000 });
  hlc.now();
  const before = hlc.peek();
  const ahead = { wallMs: 1_000_000 + 60_001, counter: 0, node: 'r' };
  assert.throws(
    () => hlc.receive(ahead),
    (error: unknown) => {
      assert.ok(error instanceof HlcDriftError);
      assert.equal(error.code, 'HLC_CLOCK_DRIFT');
      assert.equal(error.driftMs, 60_001);
      assert.equal(error.maxDriftMs, 60_000);
      assert.deepEqual(error.remote, ahead);
      return true;
    },
  );
  assert.deepEqual(hlc.peek(), before);
  assert.deepEqual(hlc.now(), { ...before, counter: before.counter + 1 });
  // Exactly at the bound is accepted; once our wall clock catches up, the refused stamp is fine.
  assert.equal(hlc.receive({ wallMs: 1_060_000, counter: 0, node: 'r' }).wallMs, 1_060_000);
  clock.set(1_000_001);
  assert.equal(hlc.receive(ahead).wallMs, 1_060_001);
});

test('the drift bound is measured against the wall clock, not against our (possibly advanced) HLC', () => {
  const clock = manualClock(1_000_000);
  const hlc = createHlc({ node: 'n', now: clock.now, maxDriftMs: 1_000 });
  hlc.receive({ wallMs: 1_001_000, counter: 0, node: 'r' }); // our HLC is now 1 s ahead
  assert.throws(() => hlc.receive({ wallMs: 1_001_500, counter: 0, node: 'r' }), HlcDriftError);
});

test('malformed remote stamps throw InvalidStampError and leave the clock as it was', () => {
  const hlc = createHlc({ node: 'n', now: () => 5000 });
  hlc.now();
  const before = hlc.peek();
  const bad = [
    { wallMs: NaN, counter: 0, node: 'r' },
    { wallMs: -1, counter: 0, node: 'r' },
    { wallMs: 4000.5, counter: 0, node: 'r' },
    { wallMs: 4000, counter: maxCounter + 1, node: 'r' },
    { wallMs: 4000, counter: 0, node: '' },
    { wallMs: 4000, counter: 0, node: 'r'.repeat(33) },
    null,
    '000000000004000-00000-r',
  ];
  for (const remote of bad) assert.throws(() => hlc.receive(remote), InvalidStampError);
  assert.deepEqual(hlc.peek(), before);
});

test('counter overflow borrows the next millisecond instead of failing', () => {
  const hlc = createHlc({ node: 'n', now: () => 7000 });
  let previous = hlc.now();
  for (let i = 0; i < maxCounter; i += 1) {
    const stamp = hlc.now();
    assert.equal(compareStamps(stamp, previous), 1);
    previous = stamp;
  }
  assert.deepEqual(previous, { wallMs: 7000, counter: maxCounter, node: 'n' });
  assert.deepEqual(hlc.now(), { wallMs: 7001, counter: 0, node: 'n' });

  const other = createHlc({ node: 'm', now: () => 7000 });
  assert.deepEqual(other.receive({ wallMs: 7500, counter: maxCounter, node: 'n' }), {
    wallMs: 7501,
    counter: 0,
    node: 'm',
  });
});

test('resumes after the last persisted stamp even when the wall clock was set back', () => {
  const hlc = createHlc({
    node: 'n',
    now: () => 1000,
    last: { wallMs: 5000, counter: 3, node: 'n' },
  });
  assert.deepEqual(hlc.peek(), { wallMs: 5000, counter: 3, node: 'n' });
  assert.deepEqual(hlc.now(), { wallMs: 5000, counter: 4, node: 'n' });
  assert.throws(
    () => createHlc({ node: 'n', last: { wallMs: -5, counter: 0, node: 'n' } }),
    InvalidStampError,
  );
});

test('bad configuration and a broken physical clock are reported, not turned into stamps', () => {
  for (const node of ['', 'x'.repeat(33), 'has space', 'ñ']) {
    assert.throws(() => createHlc({ node }), InvalidStampError);
  }
  assert.throws(() => createHlc({ node: 'n', maxDriftMs: -1 }), RangeError);
  assert.throws(() => createHlc({ node: 'n', maxDriftMs: NaN }), RangeError);
  assert.throws(() => createHlc({ node: 'n', now: () => NaN }).now(), RangeError);
  assert.throws(() => createHlc({ node: 'n', now: () => -1 }).now(), RangeError);
  const hlc = createHlc({ node: 'n' });
  const stamp = hlc.now();
  assert.ok(Math.abs(stamp.wallMs - Date.now()) < 5_000, 'defaults to Date.now');
});
