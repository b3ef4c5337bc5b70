import { completionShare } from '../protocol/progression/completion.ts';

/**
 * Watch time from watch-progress writes (the LWW register of core/src/realtime-state), apart from
 * the SQL that stores it. A client reports positions; only playback it could have done counts:
 *
 * - a forward move of the same episode's position, from the register's previous value;
 * - at most the wall time since the user's previous progress write (any episode, so several
 *   episodes written in turn share one clock) times the fastest playback speed, so a seek or a
 *   forged position cannot mint time;
 * - a gap longer than {@link maxCreditedGapMs} counts as that long: the player reports every few
 *   seconds while it plays, so a longer silence is a pause or a closed app, not playback, and an
 *   idle hour cannot be cashed in by one forged jump;
 * - a completion (position reaching {@link completionShare} of the duration) counts when the
 *   position crossed that line by such a plausible move, never by jumping to the end.
 */

/** The fastest speed the player offers (3×). */
export const maxPlaybackRate = 3;
/** The longest silence between two writes that still counts as playing. */
export const maxCreditedGapMs = 120_000;
/** Share of the duration from which an episode counts as finished (shared with clients). */
export { completionShare };

export interface WatchStep {
  /** The episode's stored position before this write; null when this is its first write. */
  previousPosMs: number | null;
  positionMs: number;
  /** The episode's duration; 0 when unknown (then nothing completes). */
  durationMs: number;
  /** Since the user's previous progress write of any episode; null for their first ever. */
  sinceLastWriteMs: number | null;
}

export interface WatchCredit {
  /** Milliseconds of playback this write proves. */
  creditedMs: number;
  /** The write finished the episode (crossed the completion line by playback). */
  completed: boolean;
}

export function creditWatch(step: WatchStep): WatchCredit {
  const { previousPosMs, positionMs, durationMs, sinceLastWriteMs } = step;
  if (previousPosMs === null || sinceLastWriteMs === null)
    return { creditedMs: 0, completed: false };
  const moved = positionMs - previousPosMs;
  if (!(moved > 0)) return { creditedMs: 0, completed: false };
  const gap = Math.min(Math.max(sinceLastWriteMs, 0), maxCreditedGapMs);
  const bound = gap * maxPlaybackRate;
  const creditedMs = Math.min(moved, bound);
  const line = durationMs * completionShare;
  const completed = durationMs > 0 && previousPosMs < line && positionMs >= line && moved <= bound;
  return { creditedMs, completed };
}
