/**
 * `use:gestures={{ mode, onIntent, getStart }}`: the player surface's Pointer Events and wheel
 * events, fed to gesture-recognizer.ts and wheel-pager.ts. Everything the player does with a
 * gesture arrives through `onIntent`; this file only speaks DOM.
 *
 * Brightness intents carry a level, not a screen setting: there is no web API for the display's
 * brightness, so the player applies the level as a CSS `filter: brightness()` on the video element
 * (brightness-filter.ts).
 */
import type { Action } from 'svelte/action';
import {
  createGestureRecognizer,
  type GestureIntent,
  type GestureMode,
  type GestureRecognizer,
  type GestureStart,
  type GestureThresholds,
  type PointerSampleType,
  type Scheduler,
} from './gesture-recognizer.ts';
import { createWheelPager } from './wheel-pager.ts';

export interface GesturesOptions {
  mode: GestureMode;
  onIntent: (intent: GestureIntent) => void;
  /** Read when a drag locks: where seeking, brightness and volume start from. */
  getStart: () => GestureStart;
  /** Page the feed with the wheel (default: on in `feed` mode, off in `adjust`). */
  wheel?: boolean;
  /** Off switch, e.g. while a drawer or the lock panel covers the picture. */
  disabled?: boolean;
  /** Read once, when the action starts. */
  thresholds?: Partial<GestureThresholds>;
  /**
   * Presses that start inside these belong to a control drawn over the picture, not to the
   * picture. Mark any other region with `data-gestures="off"`.
   */
  ignore?: string;
  /** Timers; the window's by default. */
  scheduler?: Scheduler;
}

export const controlSelector =
  'button, a[href], input, select, textarea, label, summary, [contenteditable], [role="button"], [role="slider"], [role="menu"], [role="menuitem"], [role="menuitemradio"], [role="dialog"], [data-gestures="off"]';

const windowScheduler: Scheduler = {
  setTimeout: (callback, ms) => window.setTimeout(callback, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number),
};

/** Styles the surface needs while gestures are on, restored when the action ends. */
const surfaceStyles: Record<string, string> = {
  // The page must neither scroll nor zoom under a drag (Pointer Events 3, §11: with touch-action
  // none the browser sends every touch as pointer events instead of panning). This is what keeps
  // pointercancel from firing a few pixels into every vertical swipe.
  'touch-action': 'none',
  'user-select': 'none',
  '-webkit-user-select': 'none',
  // iOS Safari's long-press callout (save image, copy) would cover the 2x hold.
  '-webkit-touch-callout': 'none',
};

export const gestures: Action<HTMLElement, GesturesOptions> = (node, initial) => {
  let options = initial;
  let rect: DOMRect | null = null;
  let touchDown = false;

  const recognizer: GestureRecognizer = createGestureRecognizer({
    mode: options.mode,
    scheduler: options.scheduler ?? windowScheduler,
    thresholds: options.thresholds,
    onIntent: (intent) => options.onIntent(intent),
    getStart: () => options.getStart(),
  });
  const pager = createWheelPager();

  const saved = new Map<string, string>();
  for (const [property, value] of Object.entries(surfaceStyles)) {
    saved.set(property, node.style.getPropertyValue(property));
    node.style.setProperty(property, value);
  }

  function feed(event: PointerEvent, type: PointerSampleType) {
    if (!rect) return;
    recognizer.feed(
      {
        type,
        pointerId: event.pointerId,
        x: event.clientX - rect.left,
        y: event.clientY - rect.top,
        t: event.timeStamp,
        pointerType: event.pointerType,
      },
      { width: rect.width, height: rect.height },
    );
    if (!recognizer.active) touchDown = false;
  }

  function startsOnControl(event: Event): boolean {
    const target = event.target;
    if (!(target instanceof Element) || target === node) return false;
    const control = target.closest(options.ignore ?? controlSelector);
    return control !== null && control !== node && node.contains(control);
  }

  function onPointerDown(event: PointerEvent) {
    if (options.disabled) return;
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    if (startsOnControl(event)) return;
    // The surface is measured once per gesture: a layout change mid-drag must not move the origin.
    if (!recognizer.active) rect = node.getBoundingClientRect();
    if (event.pointerType !== 'mouse') touchDown = true;
    try {
      // A mouse drag keeps reporting outside the surface; touch is captured implicitly, but to the
      // element under the finger (the video), so capture to the surface for both.
      node.setPointerCapture(event.pointerId);
    } catch {
      // An already released pointer (InvalidPointerId): the recognizer simply never sees it lift.
    }
    feed(event, 'down');
  }

  const onPointerMove = (event: PointerEvent) => feed(event, 'move');
  const onPointerUp = (event: PointerEvent) => feed(event, 'up');
  const onPointerCancel = (event: PointerEvent) => feed(event, 'cancel');
  function onLostCapture(event: PointerEvent) {
    // The event bubbles: a child losing its implicit touch capture to the surface is not a loss.
    // After pointerup the recognizer no longer knows the pointer, so this adds nothing.
    if (event.target === node) feed(event, 'cancel');
  }

  function onContextMenu(event: Event) {
    // Android Chrome opens the context menu on a touch held ~500 ms: the long press's own time.
    if (touchDown || recognizer.longPressing) event.preventDefault();
  }

  function onDragStart(event: Event) {
    if (recognizer.active) event.preventDefault();
  }

  function onWheel(event: WheelEvent) {
    if (options.disabled || event.ctrlKey) return; // ctrl+wheel is the trackpad's pinch-zoom
    if (event.target instanceof Element && event.target.closest('[data-gestures="off"]')) return;
    event.preventDefault();
    const direction = pager.push({
      deltaY: event.deltaY,
      deltaX: event.deltaX,
      deltaMode: event.deltaMode,
      t: event.timeStamp,
    });
    if (direction) options.onIntent({ type: 'swipe', direction, via: 'wheel' });
  }

  function onFocusLost() {
    if (document.visibilityState === 'hidden' || !document.hasFocus()) recognizer.cancel();
    touchDown = false;
  }

  const passive = { passive: true };
  node.addEventListener('pointerdown', onPointerDown, passive);
  node.addEventListener('pointermove', onPointerMove, passive);
  node.addEventListener('pointerup', onPointerUp, passive);
  node.addEventListener('pointercancel', onPointerCancel, passive);
  node.addEventListener('lostpointercapture', onLostCapture, passive);
  node.addEventListener('contextmenu', onContextMenu);
  node.addEventListener('dragstart', onDragStart);
  window.addEventListener('blur', onFocusLost);
  document.addEventListener('visibilitychange', onFocusLost);

  let wheelOn = false;
  function syncWheel() {
    const want = options.wheel ?? options.mode === 'feed';
    if (want === wheelOn) return;
    wheelOn = want;
    // Not passive: the wheel must not also scroll the page behind the feed.
    if (want) node.addEventListener('wheel', onWheel, { passive: false });
    else {
      node.removeEventListener('wheel', onWheel);
      pager.reset();
    }
  }
  syncWheel();

  return {
    update(next) {
      const wasDisabled = options.disabled;
      options = next;
      recognizer.setMode(next.mode);
      if (next.disabled && !wasDisabled) recognizer.cancel();
      syncWheel();
    },
    destroy() {
      recognizer.dispose();
      node.removeEventListener('pointerdown', onPointerDown);
      node.removeEventListener('pointermove', onPointerMove);
      node.removeEventListener('pointerup', onPointerUp);
      node.removeEventListener('pointercancel', onPointerCancel);
      node.removeEventListener('lostpointercapture', onLostCapture);
      node.removeEventListener('contextmenu', onContextMenu);
      node.removeEventListener('dragstart', onDragStart);
      node.removeEventListener('wheel', onWheel);
      window.removeEventListener('blur', onFocusLost);
      document.removeEventListener('visibilitychange', onFocusLost);
      for (const [property, value] of saved) {
        if (value) node.style.setProperty(property, value);
        else node.style.removeProperty(property);
      }
    },
  };
};
