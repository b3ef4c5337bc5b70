/**
 * Wheel events to feed pages: at most one `next` or `prev` per physical gesture. Pure; the caller
 * passes each WheelEvent's numbers and acts on what comes back.
 *
 * A mouse notch is one event of 100 px or 3 lines. A trackpad flick is a train of small events,
 * growing while the fingers move and then decaying through the OS's inertia for a second or more,
 * all with gaps of a frame or two. So a gesture ends at a pause (`gapMs`), at a reversal, or when
 * a decaying train suddenly grows again (a second flick thrown while the first one's inertia is
 * still arriving), and it pages once its travel passes `threshold`.
 */
import type { SwipeDirection } from './gesture-recognizer.ts';

export interface WheelSample {
  deltaY: number;
  deltaX?: number;
  /** WheelEvent.deltaMode: 0 pixels, 1 lines, 2 pages (UI Events §5.2). */
  deltaMode: number;
  /** Milliseconds (WheelEvent.timeStamp). */
  t: number;
}

export interface WheelPagerOptions {
  /** Travel in px that pages. */
  threshold: number;
  /** A pause (ms) between events that ends a gesture. */
  gapMs: number;
  /** Pixels per line for deltaMode 1 (Firefox's mouse wheel). */
  lineHeight: number;
  /** Pixels per page for deltaMode 2. */
  pageHeight: number;
  /** How many times the lowest point of a decaying train an event must reach to be a fresh flick. */
  riseFactor: number;
  /** A growth above that lowest point smaller than this (px) is noise, not a fresh flick. */
  minRise: number;
  /** Time (ms) after paging before growth may count as a fresh flick. */
  cooldownMs: number;
}

export const defaultWheelPagerOptions: WheelPagerOptions = {
  threshold: 40,
  gapMs: 200,
  lineHeight: 16,
  pageHeight: 800,
  riseFactor: 1.5,
  minRise: 8,
  cooldownMs: 300,
};

export interface WheelPager {
  /** The page to move to, or null for an event that does not page (most of a train). */
  push(sample: WheelSample): SwipeDirection | null;
  /** Forgets the gesture in progress (e.g. the feed moved by other means). */
  reset(): void;
}

interface Train {
  sign: number;
  travel: number;
  lastT: number;
  previous: number;
  /** Consecutive events no larger than the one before. */
  fallingRun: number;
  /** The smallest event since the train began to coast (its inertia tail), or null before. */
  trough: number | null;
  firedAt: number | null;
}

/** Events in a row that must not grow before a train counts as coasting on inertia. */
const coastingRun = 3;

export function createWheelPager(options: Partial<WheelPagerOptions> = {}): WheelPager {
  const settings: WheelPagerOptions = { ...defaultWheelPagerOptions, ...options };
  let train: Train | null = null;

  const toPixels = (delta: number, mode: number) =>
    delta * (mode === 1 ? settings.lineHeight : mode === 2 ? settings.pageHeight : 1);

  /**
   * A paged train that had settled into its decaying tail and now grows well above the lowest
   * point of that tail: fingers are on the pad again. Growth while the fingers are still speeding
   * up (before any tail) never counts, so one flick never pages twice.
   */
  function freshFlick(current: Train, magnitude: number, t: number): boolean {
    if (current.firedAt === null || t - current.firedAt < settings.cooldownMs) return false;
    if (current.trough === null) return false;
    return (
      magnitude > current.previous &&
      magnitude >= current.trough * settings.riseFactor &&
      magnitude - current.trough >= settings.minRise
    );
  }

  return {
    push(sample) {
      if (!Number.isFinite(sample.deltaY) || !Number.isFinite(sample.t)) return null;
      const dy = toPixels(sample.deltaY, sample.deltaMode);
      const dx = toPixels(
        Number.isFinite(sample.deltaX) ? (sample.deltaX ?? 0) : 0,
        sample.deltaMode,
      );
      // Sideways trackpad scrolls are not for the feed.
      if (dy === 0 || Math.abs(dx) > Math.abs(dy)) return null;
      const sign = Math.sign(dy);
      const magnitude = Math.abs(dy);
      const current = train;
      if (
        !current ||
        sample.t - current.lastT > settings.gapMs ||
        sign !== current.sign ||
        freshFlick(current, magnitude, sample.t)
      ) {
        train = {
          sign,
          travel: 0,
          lastT: sample.t,
          previous: Number.POSITIVE_INFINITY,
          fallingRun: 0,
          trough: null,
          firedAt: null,
        };
      }
      const active = train as Train;
      active.travel += magnitude;
      active.lastT = sample.t;
      active.fallingRun = magnitude <= active.previous ? active.fallingRun + 1 : 0;
      active.previous = magnitude;
      if (active.firedAt !== null && active.fallingRun >= coastingRun) {
        active.trough = Math.min(active.trough ?? magnitude, magnitude);
      } else if (active.trough !== null) {
        active.trough = Math.min(active.trough, magnitude);
      }
      if (active.firedAt === null && active.travel >= settings.threshold) {
        active.firedAt = sample.t;
        return sign > 0 ? 'next' : 'prev';
      }
      return null;
    },
    reset() {
      train = null;
    },
  };
}
