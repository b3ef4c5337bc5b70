/**
 * The player's touch and mouse gestures as a state machine over pointer samples. Pure: no DOM, no
 * clock of its own. `gestures.ts` feeds it from Pointer Events; tests feed it by hand and drive the
 * injected scheduler, so every threshold below is exercised without a browser.
 *
 * One contact at a time. Until the contact travels past `slop` it may still be a tap, a double tap
 * or a long press; past the slop the dominant axis locks for the rest of the gesture (a diagonal
 * drag never flips between seeking and swiping). A second contact cancels whatever the first was
 * doing, since two fingers on the picture are a pinch or a mistake, never a command.
 */

export type PointerSampleType = 'down' | 'move' | 'up' | 'cancel';

export interface PointerSample {
  type: PointerSampleType;
  pointerId: number;
  /** Pixels from the surface's left and top edges. */
  x: number;
  y: number;
  /** Milliseconds on any monotonic clock (PointerEvent.timeStamp). */
  t: number;
  /** PointerEvent.pointerType: 'mouse', 'touch', 'pen' (or anything a browser invents). */
  pointerType: string;
}

export interface Surface {
  width: number;
  height: number;
}

/**
 * `feed`: a vertical drag moves between videos. `adjust` (series player): a vertical drag on the
 * left half sets brightness and on the right half volume. A horizontal drag seeks in both.
 */
export type GestureMode = 'feed' | 'adjust';

/** What the player is at when a drag locks; read once per gesture, at the lock. */
export interface GestureStart {
  /** Seconds. */
  currentTime: number;
  /** Seconds; 0 or not finite while unknown, which turns horizontal drags off. */
  duration: number;
  /** 0..1, where 0.5 is the picture as encoded (see brightness-filter.ts). */
  brightness: number;
  /** 0..1, HTMLMediaElement.volume. */
  volume: number;
}

export type AdjustControl = 'brightness' | 'volume';
export type SwipeDirection = 'next' | 'prev';

export type GestureIntent =
  | { type: 'tap'; x: number; y: number; pointerType: string }
  | { type: 'doubleTap'; x: number; y: number }
  | { type: 'longPressStart'; x: number; y: number }
  | { type: 'longPressEnd' }
  /** `fraction` is the target's place on the timeline, 0..1. */
  | { type: 'seekPreview'; deltaSeconds: number; targetSeconds: number; fraction: number }
  | { type: 'seekCommit'; deltaSeconds: number; targetSeconds: number }
  | { type: 'seekCancel' }
  /** Pixels the feed should follow the finger by (negative: dragged up, towards the next video). */
  | { type: 'swipeProgress'; dy: number }
  | { type: 'swipe'; direction: SwipeDirection; via: 'pointer' | 'wheel' }
  | { type: 'swipeCancel' }
  | { type: 'brightness'; value: number }
  | { type: 'volume'; value: number }
  | { type: 'adjustEnd'; control: AdjustControl };

/** `setTimeout`/`clearTimeout` by shape, so tests can own time. */
export interface Scheduler {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface GestureThresholds {
  /** Travel (px) before a contact stops being a tap or long press and locks an axis. */
  slop: number;
  /** Longest wait (ms) from one tap's release to the next tap's press for a double tap. */
  doubleTapMs: number;
  /** Farthest apart (px) two taps may land and still make a double tap. */
  doubleTapSlop: number;
  /** Hold (ms) within the slop that starts a long press. */
  longPressMs: number;
  /** Vertical travel, as a fraction of the surface height, that moves the feed on release. */
  swipeDistance: number;
  /** Release speed (px/ms) that moves the feed whatever the distance: a flick. */
  swipeVelocity: number;
  /** The span (ms) before release over which the flick speed is measured. */
  velocityWindowMs: number;
  /** Seconds a drag across the full width seeks, capped by the duration. */
  seekFullWidthSeconds: number;
  /** Fraction of the surface height a drag covers to sweep brightness or volume from 0 to 1. */
  adjustSpan: number;
}

export const defaultThresholds: GestureThresholds = {
  slop: 10,
  doubleTapMs: 300,
  doubleTapSlop: 40,
  longPressMs: 450,
  swipeDistance: 0.2,
  swipeVelocity: 0.5,
  velocityWindowMs: 100,
  seekFullWidthSeconds: 120,
  adjustSpan: 0.6,
};

export interface GestureRecognizerOptions {
  mode: GestureMode;
  onIntent: (intent: GestureIntent) => void;
  getStart: () => GestureStart;
  scheduler: Scheduler;
  thresholds?: Partial<GestureThresholds>;
}

export interface GestureRecognizer {
  /** One pointer sample, with the surface's size at the time. */
  feed(sample: PointerSample, surface: Surface): void;
  /** Applies from the next contact; one already down keeps the mode it landed in. */
  setMode(mode: GestureMode): void;
  /** Whether a contact is down right now (gestures.ts suppresses the context menu then). */
  readonly active: boolean;
  /** Whether a long press is being held. */
  readonly longPressing: boolean;
  /**
   * Ends the gesture in progress as if the browser had cancelled it (seekCancel, swipeCancel,
   * longPressEnd, the adjust value restored) and ignores the contacts still down. For the page
   * losing focus mid-gesture, when no pointerup may ever arrive.
   */
  cancel(): void;
  /** Drops every contact and timer without emitting anything (the surface is going away). */
  dispose(): void;
}

interface Point {
  x: number;
  y: number;
  t: number;
}

interface Contact {
  pointerId: number;
  pointerType: string;
  /** The mode when the contact landed: a mode change mid-gesture waits for the next one. */
  mode: GestureMode;
  down: Point;
  surface: Surface;
  /** Recent samples for the release velocity, oldest first. */
  trail: Point[];
}

type State =
  | { kind: 'idle' }
  | { kind: 'pressed'; contact: Contact; secondTap: boolean }
  | { kind: 'longPress'; contact: Contact }
  | { kind: 'seeking'; contact: Contact; start: GestureStart }
  | { kind: 'swiping'; contact: Contact }
  | { kind: 'adjusting'; contact: Contact; control: AdjustControl; startValue: number }
  /** A horizontal drag with nothing to seek (duration unknown): swallowed until release. */
  | { kind: 'inert'; contact: Contact }
  /** After a second contact: ignore everything until every pointer has lifted. */
  | { kind: 'ignoring' };

/**
 * The last completed tap. `single` still waits to learn whether a second tap follows; `combo`
 * follows a double tap, so each further quick tap is another like (a burst of hearts), as in the
 * short-video apps.
 */
interface LastTap {
  kind: 'single' | 'combo';
  x: number;
  y: number;
  t: number;
  pointerType: string;
  timer: unknown;
}

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), high);

/** Travel beyond the lock slop: the drag starts from zero when it locks, instead of jumping. */
const beyond = (distance: number, deadZone: number) =>
  Math.sign(distance) * Math.max(0, Math.abs(distance) - deadZone);

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

export function createGestureRecognizer(options: GestureRecognizerOptions): GestureRecognizer {
  const limits: GestureThresholds = { ...defaultThresholds, ...options.thresholds };
  const { scheduler, onIntent, getStart } = options;
  let mode = options.mode;
  let state: State = { kind: 'idle' };
  let lastTap: LastTap | null = null;
  let longPressTimer: unknown = null;
  /** Every pointer down right now, the ignored ones included. */
  const pointers = new Set<number>();

  const emit = (intent: GestureIntent) => onIntent(intent);

  function clearLongPressTimer() {
    if (longPressTimer !== null) scheduler.clearTimeout(longPressTimer);
    longPressTimer = null;
  }

  function forgetLastTap() {
    if (lastTap) scheduler.clearTimeout(lastTap.timer);
    lastTap = null;
  }

  /** A completed single tap is always reported, once: as `tap` here or as half a double tap. */
  function flushLastTap() {
    const tap = lastTap;
    forgetLastTap();
    if (tap?.kind === 'single') {
      emit({ type: 'tap', x: tap.x, y: tap.y, pointerType: tap.pointerType });
    }
  }

  function rememberTap(kind: LastTap['kind'], point: Point, pointerType: string) {
    forgetLastTap();
    const timer = scheduler.setTimeout(() => {
      if (lastTap?.timer === timer) flushLastTap();
    }, limits.doubleTapMs);
    lastTap = { kind, x: point.x, y: point.y, t: point.t, pointerType, timer };
  }

  /** Ends the gesture in progress as a cancellation, telling the player to undo its preview. */
  function abandon() {
    clearLongPressTimer();
    switch (state.kind) {
      case 'pressed':
        // A press that never became anything: if it was a would-be second tap, the first still counts.
        flushLastTap();
        break;
      case 'longPress':
        emit({ type: 'longPressEnd' });
        break;
      case 'seeking':
        emit({ type: 'seekCancel' });
        break;
      case 'swiping':
        emit({ type: 'swipeCancel' });
        break;
      case 'adjusting':
        emit({ type: state.control, value: state.startValue });
        emit({ type: 'adjustEnd', control: state.control });
        break;
    }
  }

  function settle() {
    state = pointers.size > 0 ? { kind: 'ignoring' } : { kind: 'idle' };
  }

  function seekAt(
    contact: Contact,
    start: GestureStart,
    x: number,
  ): { deltaSeconds: number; targetSeconds: number; fraction: number } {
    const span = Math.min(start.duration, limits.seekFullWidthSeconds);
    const perPixel = span / Math.max(contact.surface.width, 1);
    const wanted = beyond(x - contact.down.x, limits.slop) * perPixel;
    const targetSeconds = clamp(start.currentTime + wanted, 0, start.duration);
    return {
      deltaSeconds: targetSeconds - start.currentTime,
      targetSeconds,
      fraction: targetSeconds / start.duration,
    };
  }

  function adjustAt(contact: Contact, startValue: number, y: number): number {
    const span = Math.max(contact.surface.height, 1) * limits.adjustSpan;
    // Up raises the level, as a screen coordinate grows downwards.
    return clamp(startValue - beyond(y - contact.down.y, limits.slop) / span, 0, 1);
  }

  function readStart(): GestureStart {
    const start = getStart();
    const duration = finiteOr(start.duration, 0);
    return {
      duration: Math.max(duration, 0),
      currentTime: clamp(finiteOr(start.currentTime, 0), 0, Math.max(duration, 0)),
      brightness: clamp(finiteOr(start.brightness, 0.5), 0, 1),
      volume: clamp(finiteOr(start.volume, 1), 0, 1),
    };
  }

  function lock(contact: Contact, point: Point) {
    clearLongPressTimer();
    // The contact became a drag, so a tap waiting for its partner is a plain tap after all.
    flushLastTap();
    const dx = point.x - contact.down.x;
    const dy = point.y - contact.down.y;
    if (Math.abs(dx) > Math.abs(dy)) {
      const start = readStart();
      state = start.duration > 0 ? { kind: 'seeking', contact, start } : { kind: 'inert', contact };
    } else if (contact.mode === 'feed') {
      state = { kind: 'swiping', contact };
    } else {
      const control: AdjustControl =
        contact.down.x < contact.surface.width / 2 ? 'brightness' : 'volume';
      state = { kind: 'adjusting', contact, control, startValue: readStart()[control] };
    }
    drag(point);
  }

  function drag(point: Point) {
    switch (state.kind) {
      case 'seeking':
        emit({ type: 'seekPreview', ...seekAt(state.contact, state.start, point.x) });
        break;
      case 'swiping':
        emit({ type: 'swipeProgress', dy: beyond(point.y - state.contact.down.y, limits.slop) });
        break;
      case 'adjusting':
        emit({
          type: state.control,
          value: adjustAt(state.contact, state.startValue, point.y),
        });
        break;
    }
  }

  /** Speed (px/ms, signed) over the last `velocityWindowMs` before `release`. */
  function releaseVelocity(contact: Contact, release: Point): number {
    const from = contact.trail.find((point) => point.t >= release.t - limits.velocityWindowMs);
    if (!from || release.t <= from.t) return 0;
    return (release.y - from.y) / (release.t - from.t);
  }

  function swipeOutcome(contact: Contact, release: Point): SwipeDirection | null {
    const travel = release.y - contact.down.y;
    const direction = (sign: number): SwipeDirection => (sign < 0 ? 'next' : 'prev');
    if (Math.abs(travel) >= limits.swipeDistance * contact.surface.height && travel !== 0) {
      return direction(travel);
    }
    const velocity = releaseVelocity(contact, release);
    // A flick counts only along the way the finger went: a flick back towards the start is a
    // change of mind, not a swipe the other way.
    if (Math.abs(velocity) >= limits.swipeVelocity && Math.sign(velocity) === Math.sign(travel)) {
      return direction(velocity);
    }
    return null;
  }

  function release(contact: Contact, point: Point) {
    clearLongPressTimer();
    switch (state.kind) {
      case 'pressed':
        if (state.secondTap && lastTap) {
          forgetLastTap();
          emit({ type: 'doubleTap', x: point.x, y: point.y });
          rememberTap('combo', point, contact.pointerType);
        } else {
          rememberTap('single', point, contact.pointerType);
        }
        break;
      case 'longPress':
        emit({ type: 'longPressEnd' });
        break;
      case 'seeking': {
        const seek = seekAt(contact, state.start, point.x);
        emit(
          seek.deltaSeconds === 0
            ? { type: 'seekCancel' }
            : {
                type: 'seekCommit',
                deltaSeconds: seek.deltaSeconds,
                targetSeconds: seek.targetSeconds,
              },
        );
        break;
      }
      case 'swiping': {
        const direction = swipeOutcome(contact, point);
        emit(direction ? { type: 'swipe', direction, via: 'pointer' } : { type: 'swipeCancel' });
        break;
      }
      case 'adjusting':
        emit({ type: state.control, value: adjustAt(contact, state.startValue, point.y) });
        emit({ type: 'adjustEnd', control: state.control });
        break;
    }
  }

  function press(sample: PointerSample, surface: Surface) {
    const point = { x: sample.x, y: sample.y, t: sample.t };
    const contact: Contact = {
      pointerId: sample.pointerId,
      pointerType: sample.pointerType,
      mode,
      down: point,
      surface: {
        width: Math.max(finiteOr(surface.width, 0), 0),
        height: Math.max(finiteOr(surface.height, 0), 0),
      },
      trail: [point],
    };
    let secondTap = false;
    if (lastTap) {
      const soon = point.t - lastTap.t <= limits.doubleTapMs;
      const near = Math.hypot(point.x - lastTap.x, point.y - lastTap.y) <= limits.doubleTapSlop;
      if (soon && near) {
        // Hold the first tap back until this press shows what it is.
        scheduler.clearTimeout(lastTap.timer);
        secondTap = true;
      } else {
        flushLastTap();
      }
    }
    state = { kind: 'pressed', contact, secondTap };
    longPressTimer = scheduler.setTimeout(() => {
      longPressTimer = null;
      if (state.kind !== 'pressed' || state.contact !== contact) return;
      flushLastTap();
      state = { kind: 'longPress', contact };
      const last = contact.trail[contact.trail.length - 1] ?? contact.down;
      emit({ type: 'longPressStart', x: last.x, y: last.y });
    }, limits.longPressMs);
  }

  function feed(sample: PointerSample, surface: Surface) {
    if (!Number.isFinite(sample.x) || !Number.isFinite(sample.y) || !Number.isFinite(sample.t)) {
      return;
    }
    const point = { x: sample.x, y: sample.y, t: sample.t };
    const own = 'contact' in state && state.contact.pointerId === sample.pointerId;

    if (sample.type === 'down') {
      if (pointers.has(sample.pointerId)) return;
      pointers.add(sample.pointerId);
      if (state.kind === 'idle') {
        press(sample, surface);
      } else {
        abandon();
        state = { kind: 'ignoring' };
      }
      return;
    }

    if (sample.type === 'up' || sample.type === 'cancel') {
      if (!pointers.delete(sample.pointerId)) return;
      if (own && 'contact' in state) {
        const { contact } = state;
        contact.trail.push(point);
        if (sample.type === 'up') release(contact, point);
        else abandon();
      }
      if (own || pointers.size === 0) settle();
      return;
    }

    if (!own || !('contact' in state)) return;
    const { contact } = state;
    contact.trail.push(point);
    while (
      contact.trail.length > 2 &&
      (contact.trail[1]?.t ?? 0) < point.t - limits.velocityWindowMs
    ) {
      contact.trail.shift();
    }
    if (state.kind === 'pressed') {
      const travel = Math.hypot(point.x - contact.down.x, point.y - contact.down.y);
      if (travel > limits.slop) lock(contact, point);
    } else {
      drag(point);
    }
  }

  return {
    feed,
    setMode(next) {
      mode = next;
    },
    get active() {
      return pointers.size > 0;
    },
    get longPressing() {
      return state.kind === 'longPress';
    },
    cancel() {
      if (pointers.size === 0) return;
      abandon();
      state = { kind: 'ignoring' };
      pointers.clear();
      settle();
    },
    dispose() {
      clearLongPressTimer();
      forgetLastTap();
      pointers.clear();
      state = { kind: 'idle' };
    },
  };
}
