import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createGestureRecognizer,
  type GestureIntent,
  type GestureMode,
  type GestureStart,
  type GestureThresholds,
} from './gesture-recognizer.ts';
import { createManualScheduler } from './manual-scheduler.ts';

const surface = { width: 400, height: 800 };

function harness(
  mode: GestureMode = 'feed',
  start: Partial<GestureStart> = {},
  thresholds: Partial<GestureThresholds> = {},
) {
  const clock = createManualScheduler();
  const intents: GestureIntent[] = [];
  let startReads = 0;
  const recognizer = createGestureRecognizer({
    mode,
    scheduler: clock,
    thresholds,
    onIntent: (intent) => intents.push(intent),
    getStart: () => {
      startReads += 1;
      return { currentTime: 60, duration: 300, brightness: 0.5, volume: 0.5, ...start };
    },
  });
  const sample = (
    type: 'down' | 'move' | 'up' | 'cancel',
    x: number,
    y: number,
    pointerId = 1,
    pointerType = 'touch',
  ) => recognizer.feed({ type, pointerId, x, y, t: clock.now, pointerType }, surface);
  return {
    recognizer,
    clock,
    intents,
    get startReads() {
      return startReads;
    },
    types: () => intents.map((intent) => intent.type),
    down: (x: number, y: number, id?: number, kind?: string) => sample('down', x, y, id, kind),
    move: (x: number, y: number, id?: number) => sample('move', x, y, id),
    up: (x: number, y: number, id?: number) => sample('up', x, y, id),
    cancel: (x: number, y: number, id?: number) => sample('cancel', x, y, id),
    /** Drags in `steps` moves of `ms` each from (x0, y0) to (x1, y1), without lifting. */
    drag(x0: number, y0: number, x1: number, y1: number, steps = 10, ms = 16) {
      for (let i = 1; i <= steps; i += 1) {
        clock.advance(ms);
        sample('move', x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps);
      }
    },
  };
}

test('a single tap is reported once the double-tap window has passed, not before', () => {
  const h = harness();
  h.down(100, 100, 1, 'mouse');
  h.clock.advance(80);
  h.up(102, 101);
  h.clock.advance(299);
  assert.deepEqual(h.intents, []);
  h.clock.advance(1);
  assert.deepEqual(h.intents, [{ type: 'tap', x: 102, y: 101, pointerType: 'mouse' }]);
  h.clock.advance(5000);
  assert.equal(h.intents.length, 1);
  assert.equal(h.clock.pending, 0);
});

test('two quick taps close together are one double tap at the second point, with no tap', () => {
  const h = harness();
  h.down(100, 100);
  h.clock.advance(60);
  h.up(100, 100);
  h.clock.advance(200);
  h.down(120, 110);
  h.clock.advance(60);
  h.up(121, 111);
  assert.deepEqual(h.intents, [{ type: 'doubleTap', x: 121, y: 111 }]);
  h.clock.advance(1000);
  assert.deepEqual(h.types(), ['doubleTap']);
});

test('further quick taps after a double tap are more likes; a slow one is a tap again', () => {
  const h = harness();
  for (let i = 0; i < 4; i += 1) {
    h.down(200, 300);
    h.clock.advance(50);
    h.up(200, 300);
    h.clock.advance(150);
  }
  assert.deepEqual(h.types(), ['doubleTap', 'doubleTap', 'doubleTap']);
  h.clock.advance(400);
  h.down(200, 300);
  h.clock.advance(50);
  h.up(200, 300);
  h.clock.advance(300);
  assert.deepEqual(h.types(), ['doubleTap', 'doubleTap', 'doubleTap', 'tap']);
});

test('taps too far apart or too slow are two single taps', () => {
  const far = harness();
  far.down(50, 100);
  far.up(50, 100);
  far.clock.advance(100);
  far.down(300, 600);
  // The first tap is known to be single as soon as the far press lands.
  assert.deepEqual(far.types(), ['tap']);
  far.up(300, 600);
  far.clock.advance(300);
  assert.deepEqual(far.types(), ['tap', 'tap']);

  const slow = harness();
  slow.down(50, 100);
  slow.up(50, 100);
  slow.clock.advance(301);
  slow.down(50, 100);
  slow.up(50, 100);
  slow.clock.advance(301);
  assert.deepEqual(slow.types(), ['tap', 'tap']);
});

test('a hold within the slop is a long press from 450 ms until release, never a tap', () => {
  const h = harness();
  h.down(100, 100);
  h.clock.advance(449);
  h.move(105, 104);
  assert.deepEqual(h.intents, []);
  h.clock.advance(1);
  assert.deepEqual(h.intents, [{ type: 'longPressStart', x: 105, y: 104 }]);
  assert.equal(h.recognizer.longPressing, true);
  // Moving while held changes nothing, even past the slop.
  h.move(200, 400);
  h.clock.advance(2000);
  h.up(200, 400);
  h.clock.advance(1000);
  assert.deepEqual(h.types(), ['longPressStart', 'longPressEnd']);
  assert.equal(h.recognizer.longPressing, false);
});

test('moving past the slop before 450 ms rules the long press out', () => {
  const h = harness();
  h.down(100, 100);
  h.clock.advance(100);
  h.move(100, 115);
  h.clock.advance(1000);
  assert.ok(!h.types().includes('longPressStart'));
});

test('a tap then a hold: the tap is reported when the hold turns into a long press', () => {
  const h = harness();
  h.down(100, 100);
  h.up(100, 100);
  h.clock.advance(100);
  h.down(100, 100);
  h.clock.advance(450);
  assert.deepEqual(h.types(), ['tap', 'longPressStart']);
  h.up(100, 100);
  assert.deepEqual(h.types(), ['tap', 'longPressStart', 'longPressEnd']);
});

test('a tap then a drag: the tap is reported when the drag locks', () => {
  const h = harness();
  h.down(200, 400);
  h.up(200, 400);
  h.clock.advance(100);
  h.down(200, 400);
  h.drag(200, 400, 200, 300, 5);
  assert.equal(h.types()[0], 'tap');
  assert.equal(h.types()[1], 'swipeProgress');
});

test('horizontal drag seeks: dead zone, full width = 120 s, preview then commit', () => {
  const h = harness('feed', { currentTime: 60, duration: 300 });
  h.down(100, 400);
  h.move(111, 401);
  // Locks at 11 px: 1 px beyond the 10 px slop = 120/400 s.
  assert.equal(h.intents.length, 1);
  const first = h.intents[0];
  assert.equal(first?.type, 'seekPreview');
  if (first?.type === 'seekPreview') {
    assert.ok(Math.abs(first.deltaSeconds - 0.3) < 1e-9);
    assert.ok(Math.abs(first.targetSeconds - 60.3) < 1e-9);
    assert.ok(Math.abs(first.fraction - 60.3 / 300) < 1e-9);
  }
  h.move(310, 380);
  const preview = h.intents.at(-1);
  assert.equal(preview?.type, 'seekPreview');
  if (preview?.type === 'seekPreview') assert.equal(preview.deltaSeconds, 60);
  h.up(310, 380);
  assert.deepEqual(h.intents.at(-1), { type: 'seekCommit', deltaSeconds: 60, targetSeconds: 120 });
  assert.equal(h.startReads, 1);
  assert.ok(!h.types().includes('swipeProgress'));
  assert.ok(!h.types().includes('tap'));
});

test('seek range scales with a short video and clamps to its ends', () => {
  const short = harness('feed', { currentTime: 5, duration: 40 });
  short.down(200, 400);
  short.drag(200, 400, 0, 400, 4);
  // Dragging left by half the width would be −20 s; the video starts at 0.
  const last = short.intents.at(-1);
  assert.deepEqual(last, {
    type: 'seekPreview',
    deltaSeconds: -5,
    targetSeconds: 0,
    fraction: 0,
  });
  short.up(0, 400);
  assert.deepEqual(short.intents.at(-1), {
    type: 'seekCommit',
    deltaSeconds: -5,
    targetSeconds: 0,
  });

  const end = harness('feed', { currentTime: 35, duration: 40 });
  end.down(0, 400);
  end.drag(0, 400, 400, 400, 4);
  end.up(400, 400);
  assert.deepEqual(end.intents.at(-1), { type: 'seekCommit', deltaSeconds: 5, targetSeconds: 40 });
});

test('a seek dragged back to where it started is cancelled, not committed', () => {
  const h = harness();
  h.down(100, 400);
  h.drag(100, 400, 200, 400, 4);
  h.drag(200, 400, 105, 400, 4);
  h.up(105, 400);
  assert.deepEqual(h.intents.at(-1), { type: 'seekCancel' });
});

test('without a known duration a horizontal drag does nothing at all', () => {
  const h = harness('feed', { duration: Number.NaN });
  h.down(100, 400);
  h.drag(100, 400, 300, 400);
  h.up(300, 400);
  h.clock.advance(1000);
  assert.deepEqual(h.intents, []);
});

test('the first dominant axis wins for the whole gesture', () => {
  const vertical = harness();
  vertical.down(200, 400);
  vertical.move(203, 388);
  vertical.drag(203, 388, 390, 380, 5);
  assert.ok(vertical.types().every((type) => type === 'swipeProgress'));
  vertical.up(390, 380);
  assert.equal(vertical.types().at(-1), 'swipeCancel');

  const horizontal = harness();
  horizontal.down(200, 400);
  horizontal.move(212, 405);
  horizontal.drag(212, 405, 215, 100, 5);
  assert.ok(horizontal.types().every((type) => type === 'seekPreview'));
});

test('feed swipe: progress follows the finger beyond the slop; 20% of height moves', () => {
  const h = harness();
  h.down(200, 600);
  h.move(200, 580);
  assert.deepEqual(h.intents, [{ type: 'swipeProgress', dy: -10 }]);
  // Slow drag (1 px per 16 ms is well under a flick) to 170 px up: 21% of 800 px.
  h.drag(200, 580, 200, 430, 150, 16);
  h.clock.advance(500);
  h.up(200, 430);
  assert.deepEqual(h.intents.at(-1), { type: 'swipe', direction: 'next', via: 'pointer' });

  const back = harness();
  back.down(200, 200);
  back.drag(200, 200, 200, 370, 150, 16);
  back.clock.advance(500);
  back.up(200, 370);
  assert.deepEqual(back.intents.at(-1), { type: 'swipe', direction: 'prev', via: 'pointer' });
});

test('feed swipe: a short slow drag springs back', () => {
  const h = harness();
  h.down(200, 600);
  h.drag(200, 600, 200, 500, 100, 16);
  h.up(200, 500);
  assert.deepEqual(h.intents.at(-1), { type: 'swipeCancel' });
});

test('feed swipe: a short fast flick moves; the speed is measured just before release', () => {
  const flick = harness();
  flick.down(200, 600);
  // 60 px in 80 ms = 0.75 px/ms, far under 20% of the height.
  flick.drag(200, 600, 200, 540, 5, 16);
  flick.up(200, 540);
  assert.deepEqual(flick.intents.at(-1), { type: 'swipe', direction: 'next', via: 'pointer' });

  // The same flick, then a pause before lifting: no speed left at release.
  const paused = harness();
  paused.down(200, 600);
  paused.drag(200, 600, 200, 540, 5, 16);
  paused.clock.advance(200);
  paused.up(200, 540);
  assert.deepEqual(paused.intents.at(-1), { type: 'swipeCancel' });

  // Just under the flick speed: 0.45 px/ms.
  const slow = harness();
  slow.down(200, 600);
  slow.drag(200, 600, 200, 528, 10, 16);
  slow.up(200, 528);
  assert.deepEqual(slow.intents.at(-1), { type: 'swipeCancel' });
});

test('feed swipe: flicking back towards the start is not a swipe the other way', () => {
  const h = harness();
  h.down(200, 600);
  h.drag(200, 600, 200, 520, 10, 16);
  h.drag(200, 520, 200, 580, 4, 16);
  h.up(200, 580);
  assert.deepEqual(h.intents.at(-1), { type: 'swipeCancel' });
});

test('adjust mode: left half sets brightness, right half volume, proportional and clamped', () => {
  const left = harness('adjust', { brightness: 0.5, volume: 0.9 });
  left.down(100, 600);
  left.move(100, 589);
  assert.deepEqual(left.intents, [{ type: 'brightness', value: 0.5 + 1 / 480 }]);
  // 0.6 of 800 px = 480 px sweeps 0..1; 240 px up (after the slop) is +0.5.
  left.move(100, 350);
  assert.deepEqual(left.intents.at(-1), { type: 'brightness', value: 1 });
  left.move(100, 470);
  assert.deepEqual(left.intents.at(-1), { type: 'brightness', value: 0.75 });
  left.up(100, 470);
  assert.deepEqual(left.intents.slice(-2), [
    { type: 'brightness', value: 0.75 },
    { type: 'adjustEnd', control: 'brightness' },
  ]);
  assert.ok(!left.types().includes('volume'));
  assert.ok(!left.types().includes('swipe'));

  const right = harness('adjust', { brightness: 0.5, volume: 0.9 });
  right.down(300, 200);
  right.drag(300, 200, 300, 790, 10);
  assert.deepEqual(right.intents.at(-1), { type: 'volume', value: 0 });
  right.up(300, 790);
  assert.deepEqual(right.intents.at(-1), { type: 'adjustEnd', control: 'volume' });
  assert.ok(right.types().every((type) => type === 'volume' || type === 'adjustEnd'));
});

test('adjust mode: odd starting values are clamped to 0..1, and horizontal drags still seek', () => {
  const h = harness('adjust', { volume: 7 });
  h.down(300, 400);
  h.move(300, 420);
  assert.deepEqual(h.intents, [{ type: 'volume', value: 1 - 10 / 480 }]);

  const seek = harness('adjust');
  seek.down(100, 400);
  seek.drag(100, 400, 300, 400, 4);
  seek.up(300, 400);
  assert.equal(seek.types().at(-1), 'seekCommit');
});

test('setMode applies from the next gesture', () => {
  const h = harness('feed');
  h.down(300, 400);
  h.recognizer.setMode('adjust');
  h.move(300, 380);
  h.up(300, 380);
  assert.deepEqual(h.types(), ['swipeProgress', 'swipeCancel']);
  h.down(300, 400);
  h.move(300, 380);
  assert.equal(h.types().at(-1), 'volume');
});

test('cancel undoes whatever was in progress', () => {
  const seek = harness();
  seek.down(100, 400);
  seek.drag(100, 400, 300, 400, 4);
  seek.cancel(300, 400);
  assert.deepEqual(seek.intents.at(-1), { type: 'seekCancel' });

  const swipe = harness();
  swipe.down(200, 600);
  swipe.drag(200, 600, 200, 100, 4);
  swipe.cancel(200, 100);
  assert.deepEqual(swipe.intents.at(-1), { type: 'swipeCancel' });

  const adjust = harness('adjust', { volume: 0.4 });
  adjust.down(300, 600);
  adjust.drag(300, 600, 300, 300, 4);
  adjust.cancel(300, 300);
  assert.deepEqual(adjust.intents.slice(-2), [
    { type: 'volume', value: 0.4 },
    { type: 'adjustEnd', control: 'volume' },
  ]);

  const hold = harness();
  hold.down(100, 100);
  hold.clock.advance(500);
  hold.cancel(100, 100);
  assert.deepEqual(hold.types(), ['longPressStart', 'longPressEnd']);

  const press = harness();
  press.down(100, 100);
  press.cancel(100, 100);
  press.clock.advance(1000);
  assert.deepEqual(press.intents, []);
  assert.equal(press.recognizer.active, false);
});

test('a second finger cancels the gesture and everything until all fingers lift', () => {
  const h = harness();
  h.down(200, 600, 1);
  h.drag(200, 600, 200, 500, 4);
  h.down(250, 500, 2);
  assert.equal(h.types().at(-1), 'swipeCancel');
  const count = h.intents.length;
  h.move(200, 100, 1);
  h.move(250, 100, 2);
  h.up(200, 100, 1);
  h.up(250, 100, 2);
  h.clock.advance(1000);
  assert.equal(h.intents.length, count);
  assert.equal(h.recognizer.active, false);
  // The surface works again afterwards.
  h.down(100, 100, 3);
  h.up(100, 100, 3);
  h.clock.advance(300);
  assert.equal(h.types().at(-1), 'tap');
});

test('a second finger stops a long press and a pending press without a tap', () => {
  const hold = harness();
  hold.down(100, 100, 1);
  hold.clock.advance(500);
  hold.down(150, 100, 2);
  assert.deepEqual(hold.types(), ['longPressStart', 'longPressEnd']);

  const pinch = harness();
  pinch.down(100, 100, 1);
  pinch.down(150, 100, 2);
  pinch.up(100, 100, 1);
  pinch.up(150, 100, 2);
  pinch.clock.advance(1000);
  assert.deepEqual(pinch.intents, []);
});

test('the first finger lifting first still leaves the surface ignoring the second', () => {
  const h = harness();
  h.down(100, 100, 1);
  h.down(150, 100, 2);
  h.up(100, 100, 1);
  h.move(150, 500, 2);
  h.up(150, 500, 2);
  h.clock.advance(1000);
  assert.deepEqual(h.intents, []);
});

test('samples from pointers that are not down (mouse hover) and junk samples are ignored', () => {
  const h = harness();
  h.move(10, 10, 5);
  h.up(10, 10, 5);
  h.cancel(10, 10, 5);
  h.recognizer.feed(
    { type: 'down', pointerId: 1, x: Number.NaN, y: 0, t: 0, pointerType: 'touch' },
    surface,
  );
  h.clock.advance(1000);
  assert.deepEqual(h.intents, []);
  assert.equal(h.recognizer.active, false);
});

test('mouse presses work the same as touch', () => {
  const h = harness();
  h.down(100, 400, 1, 'mouse');
  h.drag(100, 400, 100, 200, 5);
  h.up(100, 200);
  assert.deepEqual(h.intents.at(-1), { type: 'swipe', direction: 'next', via: 'pointer' });
});

test('cancel() ends a held gesture and frees the surface for the next contact', () => {
  const h = harness();
  h.down(100, 100);
  h.clock.advance(500);
  h.recognizer.cancel();
  assert.deepEqual(h.types(), ['longPressStart', 'longPressEnd']);
  assert.equal(h.recognizer.active, false);
  // The lost pointer's late release changes nothing; a new contact works.
  h.up(100, 100);
  h.down(100, 100, 2);
  h.up(100, 100, 2);
  h.clock.advance(300);
  assert.deepEqual(h.types(), ['longPressStart', 'longPressEnd', 'tap']);
  h.recognizer.cancel();
  assert.equal(h.intents.length, 3);
});

test('dispose drops timers without emitting', () => {
  const h = harness();
  h.down(100, 100);
  h.up(100, 100);
  h.down(300, 300, 2);
  h.recognizer.dispose();
  assert.equal(h.clock.pending, 0);
  h.clock.advance(1000);
  assert.deepEqual(h.types(), ['tap']);
});

test('thresholds can be tuned', () => {
  const h = harness('feed', {}, { longPressMs: 200, slop: 30 });
  h.down(100, 100);
  h.move(100, 125);
  h.clock.advance(200);
  assert.deepEqual(h.types(), ['longPressStart']);
});
