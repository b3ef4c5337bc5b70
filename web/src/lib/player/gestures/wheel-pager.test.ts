import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWheelPager, type WheelSample } from './wheel-pager.ts';

/** Feeds samples and returns the pages they produced, in order. */
function run(samples: WheelSample[]): string[] {
  const pager = createWheelPager();
  return samples.map((sample) => pager.push(sample)).filter((page) => page !== null);
}

/**
 * A trackpad flick as macOS delivers it: a few frames of growing deltas while the fingers move,
 * then an inertia tail decaying by `decay` per 16 ms frame until it is under 1 px.
 */
function flick(startT: number, sign: 1 | -1, peak = 60, decay = 0.93): WheelSample[] {
  const samples: WheelSample[] = [];
  let t = startT;
  for (const delta of [2, 6, 15, 30, peak]) {
    samples.push({ deltaY: sign * delta, deltaMode: 0, t });
    t += 16;
  }
  for (let delta = peak * decay; delta >= 1; delta *= decay) {
    samples.push({ deltaY: sign * Math.round(delta), deltaMode: 0, t });
    t += 16;
  }
  return samples;
}

test('one mouse notch pages once, by the sign of deltaY', () => {
  assert.deepEqual(run([{ deltaY: 100, deltaMode: 0, t: 0 }]), ['next']);
  assert.deepEqual(run([{ deltaY: -100, deltaMode: 0, t: 0 }]), ['prev']);
});

test('a whole trackpad flick with its inertia tail pages exactly once', () => {
  const samples = flick(0, 1);
  assert.ok(samples.length > 60, 'the tail lasts about a second');
  assert.deepEqual(run(samples), ['next']);
});

test('bumps of a few px in an inertia tail do not page again', () => {
  const noisy = flick(0, 1).map((sample, i) => ({
    ...sample,
    deltaY: sample.deltaY + (i > 5 && i % 3 === 0 ? 5 : 0),
  }));
  assert.deepEqual(run(noisy), ['next']);
});

test('a flick that pauses, then another: two pages', () => {
  const first = flick(0, 1);
  const end = (first.at(-1) as WheelSample).t;
  assert.deepEqual(run([...first, ...flick(end + 250, 1)]), ['next', 'next']);
});

test('a second flick thrown into the first one’s inertia tail pages again', () => {
  const first = flick(0, -1).filter((sample) => sample.t < 500);
  assert.deepEqual(run([...first, ...flick(500, -1)]), ['prev', 'prev']);
});

test('growth while the fingers are still speeding up is not a second flick', () => {
  const samples = [2, 10, 30, 20, 45, 80, 70, 90, 60, 40, 20, 10, 5, 2].map((delta, i) => ({
    deltaY: delta,
    deltaMode: 0,
    t: i * 16,
  }));
  assert.deepEqual(run(samples), ['next']);
});

test('a long trackpad drag that speeds up and slows down without coasting pages once', () => {
  const zigzag = Array.from({ length: 50 }, (_, i) => ({
    deltaY: i % 2 === 0 ? 12 : 30,
    deltaMode: 0,
    t: i * 16,
  }));
  assert.deepEqual(run(zigzag), ['next']);
});

test('spinning a mouse wheel fast is one gesture; notches apart are one page each', () => {
  const spin = [0, 40, 80, 120, 160].map((t) => ({ deltaY: 100, deltaMode: 0, t }));
  assert.deepEqual(run(spin), ['next']);
  const apart = [0, 300, 600].map((t) => ({ deltaY: 100, deltaMode: 0, t }));
  assert.deepEqual(run(apart), ['next', 'next', 'next']);
});

test('reversing direction starts a new gesture', () => {
  assert.deepEqual(
    run([
      { deltaY: 100, deltaMode: 0, t: 0 },
      { deltaY: -100, deltaMode: 0, t: 50 },
    ]),
    ['next', 'prev'],
  );
});

test('small jitter below the threshold does not page', () => {
  const jitter = [3, 4, 2, 5, 3].map((delta, i) => ({ deltaY: delta, deltaMode: 0, t: i * 16 }));
  assert.deepEqual(run(jitter), []);
  // ...but the same small steps add up within one gesture.
  const creep = Array.from({ length: 12 }, (_, i) => ({ deltaY: 4, deltaMode: 0, t: i * 16 }));
  assert.deepEqual(run(creep), ['next']);
  // Not across pauses.
  const slow = Array.from({ length: 12 }, (_, i) => ({ deltaY: 4, deltaMode: 0, t: i * 300 }));
  assert.deepEqual(run(slow), []);
});

test('line and page delta modes are scaled to pixels', () => {
  // Firefox: 3 lines per notch = 48 px.
  assert.deepEqual(run([{ deltaY: 3, deltaMode: 1, t: 0 }]), ['next']);
  assert.deepEqual(run([{ deltaY: 1, deltaMode: 1, t: 0 }]), []);
  assert.deepEqual(run([{ deltaY: -1, deltaMode: 2, t: 0 }]), ['prev']);
});

test('sideways scrolls and junk are ignored', () => {
  assert.deepEqual(run([{ deltaY: 50, deltaX: 120, deltaMode: 0, t: 0 }]), []);
  assert.deepEqual(
    run([
      { deltaY: Number.NaN, deltaMode: 0, t: 0 },
      { deltaY: 100, deltaMode: 0, t: Number.NaN },
      { deltaY: 0, deltaMode: 0, t: 10 },
    ]),
    [],
  );
});

test('reset forgets the gesture in progress', () => {
  const pager = createWheelPager();
  assert.equal(pager.push({ deltaY: 100, deltaMode: 0, t: 0 }), 'next');
  assert.equal(pager.push({ deltaY: 100, deltaMode: 0, t: 40 }), null);
  pager.reset();
  assert.equal(pager.push({ deltaY: 100, deltaMode: 0, t: 80 }), 'next');
});
