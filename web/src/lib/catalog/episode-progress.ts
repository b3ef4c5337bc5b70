import type { EpisodeSummary } from '@binge/core/protocol/catalog';
import { completionShare } from '@binge/core/protocol/progression/completion';

/**
 * An episode's place in a viewer's binge, for the series page's grid. "Watched" is the line the
 * server's watch-time accounting uses (completionShare).
 */

export interface KnownPosition {
  positionMs: number;
  durationMs: number;
}

export type EpisodeProgress =
  { kind: 'unwatched' } | { kind: 'in-progress'; fraction: number } | { kind: 'watched' };

export function episodeProgress(position: KnownPosition | undefined): EpisodeProgress {
  if (!position || !(position.durationMs > 0) || !(position.positionMs > 0))
    return { kind: 'unwatched' };
  const fraction = Math.min(position.positionMs / position.durationMs, 1);
  return fraction >= completionShare ? { kind: 'watched' } : { kind: 'in-progress', fraction };
}

/**
 * Where "continue" takes the viewer: the most recently numbered episode in progress, else the
 * first ready one after the last watched, else episode 1. Null when nothing is ready.
 */
export function continueTarget(
  episodes: readonly EpisodeSummary[],
  positions: ReadonlyMap<number, KnownPosition>,
): { episode: EpisodeSummary; resume: boolean } | null {
  const ready = episodes.filter((episode) => episode.status === 'ready');
  if (ready.length === 0) return null;
  const states = ready.map((episode) => ({
    episode,
    progress: episodeProgress(positions.get(episode.id)),
  }));
  const inProgress = states.filter((state) => state.progress.kind === 'in-progress').at(-1);
  if (inProgress) return { episode: inProgress.episode, resume: true };
  const lastWatched = states.map((state) => state.progress.kind).lastIndexOf('watched');
  const next = states[lastWatched + 1] ?? states[0]!;
  return { episode: next.episode, resume: false };
}
