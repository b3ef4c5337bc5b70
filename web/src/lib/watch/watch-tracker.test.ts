import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WatchEventInput } from '@binge/core/protocol/watch-events';
import { WatchTracker, type TrackedMedia } from './watch-tracker.ts';
import { resumePoint } from './resume-point.ts';

class FakeMedia extends EventTarget implements TrackedMedia {
  currentTime = 0;
  duration = 60;
  paused = true;
  playbackRate = 1;
  fire(name: string) {
    this.dispatchEvent(new Event(name));
  }
}

function harness() {
  let clock = 1_000_000;
  let id = 0;
  let tick: () => void = () => {};
  const sent: WatchEventInput[][] = [];
  const progress: Array<[number, number, number]> = [];
  let failSends = false;
  const tracker = new WatchTracker({
    send: async (events) => {
      if (failSends) throw new Error('offline');
      sent.push(events);
    },
    progress: (...args) => progress.push(args),
    now: () => clock,
    newId: () => `evt-${String(++id).padStart(8, '0')}`,
    setInterval: (fn) => ((tick = fn), 1),
    clearInterval: () => {},
  });
  return {
    tracker,
    sent,
    progress,
    advance(ms: number) {
      clock += ms;
      tick();
    },
    setFailing(value: boolean) {
      failSends = value;
    },
  };
}

test('a play is start, heartbeats, a seek with its origin, a speed change, then a swipe away', async () => {
  const h = harness();
  const media = new FakeMedia();
  h.tracker.follow(media, 5, 60_000, 'req1.0');
  media.paused = false;
  media.fire('playing');
  media.currentTime = 4;
  media.fire('timeupdate');
  h.advance(16_000);
  media.fire('seeking');
  media.currentTime = 30;
  media.fire('seeked');
  media.playbackRate = 2;
  media.fire('ratechange');
  media.currentTime = 33.5;
  h.tracker.leave();
  await Promise.resolve();
  const events = h.sent.flat();
  assert.deepEqual(
    events.map((event) => [event.t, event.pos, event.from, event.rate]),
    [
      ['start', 0, undefined, undefined],
      ['heartbeat', 4000, undefined, undefined],
      ['seek', 30_000, 4000, undefined],
      ['speed', 30_000, undefined, 2],
      ['swipe', 33_500, undefined, undefined],
    ],
  );
  assert.ok(events.every((event) => event.imp === 'req1.0' && event.eid === 5));
  assert.deepEqual(h.progress.at(-1), [5, 33_500, 60_000]);
});

test('playing to the end is complete (no swipe after it), and failed sends are kept for later', async () => {
  const h = harness();
  const media = new FakeMedia();
  h.setFailing(true);
  h.tracker.follow(media, 9, 60_000);
  media.paused = false;
  media.fire('playing');
  media.currentTime = 60;
  media.paused = true;
  media.fire('pause');
  media.fire('ended');
  h.tracker.leave();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    h.tracker.pending().map((event) => event.t),
    ['start', 'complete'],
  );
  h.setFailing(false);
  h.tracker.flush();
  await Promise.resolve();
  assert.equal(h.sent.flat().length, 2);
  assert.equal(h.tracker.pending().length, 0);
});

test('nothing is recorded for an element that never played', async () => {
  const h = harness();
  const media = new FakeMedia();
  h.tracker.follow(media, 3, 60_000);
  h.tracker.action('like');
  h.tracker.leave();
  await Promise.resolve();
  assert.deepEqual(
    h.sent.flat().map((event) => event.t),
    ['like'],
  );
  assert.equal(h.progress.length, 0);
});

test('resume points skip barely-started and practically finished episodes', () => {
  assert.equal(resumePoint(undefined), 0);
  assert.equal(resumePoint({ positionMs: 2_000, durationMs: 60_000 }), 0);
  assert.equal(resumePoint({ positionMs: 30_000, durationMs: 60_000 }), 30);
  assert.equal(resumePoint({ positionMs: 57_000, durationMs: 60_000 }), 0);
  assert.equal(resumePoint({ positionMs: 3_500, durationMs: 6_000 }), 3.5);
  assert.equal(resumePoint({ positionMs: 5_500, durationMs: 6_000 }), 0);
  assert.equal(resumePoint({ positionMs: Number.NaN, durationMs: 60_000 }), 0);
});
