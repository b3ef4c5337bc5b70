import type { Random } from './random-streams.ts';
import { normal } from './random-streams.ts';
import { tasteMatch, type Viewer, type World } from './world.ts';

/**
 * How a simulated viewer reacts to one item of the feed, and when they put the phone down.
 *
 * Interest is the viewer's openness plus their taste match for the item's tags. In the first
 * seconds they judge the item mostly by interest and a little by its quality, and swipe away (a
 * skip, under 3 s) when it is poor. Otherwise they watch a fraction of it that grows with interest,
 * quality and how well its length fits what they like, with noise; a long, interested watch may
 * end in a like. Patience drops with skips and poor watches, recovers with
 * good ones and wears down a little with every item; the session ends when it runs out, or at the
 * caps on items and minutes.
 */
export interface Reaction {
  /** Seconds watched. */
  seconds: number;
  /** Share of the item watched, 0..1. */
  ratio: number;
  skipped: boolean;
  liked: boolean;
}

/** Under this many seconds a play counts as a skip (the "first 3 s" of issue 5's features). */
export const SKIP_SECONDS = 3;
/** A watch of at least this share of the item is a long watch (what popularity counts). */
export const LONG_WATCH_RATIO = 0.7;
/** Under this share a watch is a poor one and costs patience. */
export const POOR_WATCH_RATIO = 0.3;

export const SESSION_LIMITS = {
  maxItems: 60,
  maxSeconds: 30 * 60,
  /** A session ends early when patience runs out before either of these marks. */
  earlyItems: 10,
  earlySeconds: 5 * 60,
} as const;

const PATIENCE = { skip: 1, poor: 0.5, good: 0.4, fatigue: 0.05 } as const;

/** Draws per reaction, always all of them, so the streams stay aligned across policies. */
export const DRAWS_PER_REACTION = 5;

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function interest(world: World, viewer: Viewer, item: number): number {
  const match = tasteMatch(viewer, world.catalog.tags[item]!);
  return viewer.openness + (1 - viewer.openness) * match;
}

export function durationFit(viewer: Viewer, seconds: number): number {
  const gap = Math.log(seconds) - viewer.durationCentre;
  return Math.exp(-(gap * gap) / (2 * viewer.durationWidth * viewer.durationWidth));
}

export function react(world: World, viewer: Viewer, item: number, random: Random): Reaction {
  const duration = world.catalog.durationS[item]!;
  const quality = world.quality[item]!;
  const want = interest(world, viewer, item);
  const skipDraw = random();
  const skipSeconds = 0.5 + 2.4 * random();
  const noise = normal(random); // two draws
  const likeDraw = random();

  const pSkip = sigmoid(2 - 6 * want - 0.5 * quality);
  if (skipDraw < pSkip || duration < SKIP_SECONDS) {
    const seconds = Math.min(duration, skipSeconds);
    return { seconds, ratio: seconds / duration, skipped: true, liked: false };
  }
  // Past the viewer's preferred length the watched share falls as (preferred / duration)^1.2, so
  // an item far longer than they like yields no more seconds than one that fits (a power above 1),
  // and a watch-time objective cannot win by serving ever longer items. sigmoid × 1.1 lets strong
  // interest finish the item.
  const z =
    -0.6 +
    3 * want +
    0.7 * quality +
    1.0 * (durationFit(viewer, duration) - 0.5) -
    1.2 * Math.max(0, Math.log(duration) - viewer.durationCentre) +
    0.8 * noise;
  // A play that was not skipped lasted at least SKIP_SECONDS.
  const ratio = Math.max(SKIP_SECONDS / duration, Math.min(1, sigmoid(z) * 1.1));
  const liked = ratio >= 0.8 && likeDraw < viewer.likePropensity * want;
  return { seconds: ratio * duration, ratio, skipped: false, liked };
}

export type EndReason = 'patience' | 'items' | 'time';

/** The viewer's side of a session: their patience and how far they got. */
export interface SessionProgress {
  patience: number;
  maxPatience: number;
  items: number;
  seconds: number;
  ended: EndReason | null;
}

export function startSession(viewer: Viewer, random: Random): SessionProgress {
  const patience = viewer.patience * (0.75 + 0.5 * random());
  return { patience, maxPatience: patience, items: 0, seconds: 0, ended: null };
}

/** Applies one reaction to the session; sets `ended` when the viewer leaves. */
export function advance(progress: SessionProgress, reaction: Reaction): void {
  progress.items += 1;
  progress.seconds += reaction.seconds;
  if (reaction.skipped) progress.patience -= PATIENCE.skip;
  else if (reaction.ratio < POOR_WATCH_RATIO) progress.patience -= PATIENCE.poor;
  else if (reaction.ratio >= LONG_WATCH_RATIO)
    progress.patience = Math.min(progress.maxPatience, progress.patience + PATIENCE.good);
  progress.patience -= PATIENCE.fatigue;
  if (progress.patience <= 0) progress.ended = 'patience';
  else if (progress.items >= SESSION_LIMITS.maxItems) progress.ended = 'items';
  else if (progress.seconds >= SESSION_LIMITS.maxSeconds) progress.ended = 'time';
}

export function endedEarly(progress: SessionProgress): boolean {
  return (
    progress.ended === 'patience' &&
    progress.items < SESSION_LIMITS.earlyItems &&
    progress.seconds < SESSION_LIMITS.earlySeconds
  );
}
