/**
 * The player's desktop keyboard map, pure: a key press (by shape, so a KeyboardEvent fits) and the
 * player's situation in, one action or null out. Null means "not ours": the caller must then leave
 * the event alone (no preventDefault), so browser and screen-reader keys keep working.
 *
 * The keys follow the players people already know (YouTube, bilibili): Space/K, J/L, arrows,
 * M, F, digits for tenths of the video, `<`/`>` for speed, Shift+N for the next episode.
 */

export interface ShortcutKey {
  /** KeyboardEvent.key. */
  key: string;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  /** Auto-repeat from a held key: fine for seeking and volume, never for a toggle. */
  repeat?: boolean;
  /** KeyboardEvent.isComposing: an IME is building a character. */
  isComposing?: boolean;
  /** The focused element, by shape (Element.closest). */
  target?: unknown;
}

/**
 * `feed`: ↑/↓ move between videos. `series`: ↑/↓ are volume, as there is no neighbour video to
 * move to, and Shift+N plays the next episode.
 */
export type ShortcutMode = 'feed' | 'series';

export interface ShortcutContext {
  mode: ShortcutMode;
  /** The current playback rate, to step `<`/`>` from. */
  playbackRate: number;
  /** Which optional features this player has; a key for a missing one is passed through. */
  available?: {
    pip?: boolean;
    fullscreen?: boolean;
    danmu?: boolean;
    nextEpisode?: boolean;
  };
}

export type ShortcutAction =
  | { type: 'togglePlay' }
  | { type: 'seekBy'; seconds: number }
  | { type: 'seekToFraction'; fraction: number }
  | { type: 'navigate'; direction: 'next' | 'prev' }
  | { type: 'volumeBy'; delta: number }
  | { type: 'toggleMute' }
  | { type: 'toggleFullscreen' }
  | { type: 'togglePip' }
  | { type: 'setRate'; rate: number }
  | { type: 'toggleDanmu' }
  | { type: 'nextEpisode' };

/** The speeds `<` and `>` step through (the player's speed menu offers the same). */
export const playbackRates = [0.5, 0.75, 1, 1.25, 1.5, 2, 3] as const;

/** Where typing happens; keys there are text, never commands. */
const typingSelector =
  'input, textarea, select, [contenteditable]:not([contenteditable="false"]), [role="textbox"]';
/** Where Space already means "press this". */
const pressableSelector =
  'button, a[href], summary, [role="button"], [role="menuitem"], [role="menuitemradio"], [role="checkbox"], [role="switch"], [role="tab"]';

function closest(target: unknown, selector: string): boolean {
  if (typeof target !== 'object' || target === null) return false;
  const probe = (target as { closest?: unknown }).closest;
  if (typeof probe !== 'function') return false;
  try {
    return probe.call(target, selector) != null;
  } catch {
    return false;
  }
}

/** Whether keys pressed with `target` focused are typed text. */
export function isTypingTarget(target: unknown): boolean {
  if (closest(target, typingSelector)) return true;
  return (target as { isContentEditable?: unknown } | null)?.isContentEditable === true;
}

/**
 * The next listed rate above or below `rate` (an off-list rate steps to its neighbour on the
 * list); `rate` itself at either end of the list.
 */
export function stepRate(rate: number, step: 1 | -1): number {
  const rates: readonly number[] = playbackRates;
  if (!Number.isFinite(rate)) return 1;
  const next =
    step > 0
      ? rates.find((candidate) => candidate > rate + 1e-9)
      : rates.findLast((candidate) => candidate < rate - 1e-9);
  return next ?? rate;
}

export function shortcutFor(event: ShortcutKey, context: ShortcutContext): ShortcutAction | null {
  if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return null;
  if (isTypingTarget(event.target)) return null;
  const available = context.available ?? {};
  const repeat = event.repeat === true;
  const once = (action: ShortcutAction): ShortcutAction | null => (repeat ? null : action);
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;

  switch (key) {
    case ' ':
      if (closest(event.target, pressableSelector)) return null;
      return once({ type: 'togglePlay' });
    case 'k':
      return once({ type: 'togglePlay' });
    case 'ArrowLeft':
      return { type: 'seekBy', seconds: -5 };
    case 'ArrowRight':
      return { type: 'seekBy', seconds: 5 };
    case 'j':
      return { type: 'seekBy', seconds: -10 };
    case 'l':
      return { type: 'seekBy', seconds: 10 };
    case 'ArrowUp':
      return context.mode === 'feed'
        ? once({ type: 'navigate', direction: 'prev' })
        : { type: 'volumeBy', delta: 0.1 };
    case 'ArrowDown':
      return context.mode === 'feed'
        ? once({ type: 'navigate', direction: 'next' })
        : { type: 'volumeBy', delta: -0.1 };
    case 'm':
      return once({ type: 'toggleMute' });
    case 'f':
      return available.fullscreen === false ? null : once({ type: 'toggleFullscreen' });
    case 'p':
      return available.pip === false ? null : once({ type: 'togglePip' });
    case 'd':
      return available.danmu === false ? null : once({ type: 'toggleDanmu' });
    case 'n':
      // Shift, so a stray N while reading does not skip an episode.
      if (!event.shiftKey || available.nextEpisode === false) return null;
      return once({ type: 'nextEpisode' });
    case '<':
    case '>': {
      const rate = stepRate(context.playbackRate, key === '>' ? 1 : -1);
      return rate === context.playbackRate ? null : { type: 'setRate', rate };
    }
  }
  if (/^[0-9]$/.test(key)) return once({ type: 'seekToFraction', fraction: Number(key) / 10 });
  return null;
}
