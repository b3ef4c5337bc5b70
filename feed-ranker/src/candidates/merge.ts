import type { CandidateSource } from '@binge/core/feed/feed-service';

export interface Candidate {
  episodeId: number;
  seriesId: number;
  source: CandidateSource;
  /** The candidate's strength within its source, 0..1 (1: the source's best; backfill 0). */
  sourceScore: number;
}

/**
 * Which source an episode proposed by several is credited to: the one most specific to the
 * viewer. Continuing a series they started or follow says more than a neighbour of what they
 * watched, which says more than their favourite category, than an editor's pick (for everyone),
 * than the hot list, than being new; backfill is only ever the last resort.
 */
export const SOURCE_PRIORITY: Readonly<Record<CandidateSource, number>> = {
  continue: 0,
  cowatch: 1,
  category: 2,
  editorial: 3,
  hot: 4,
  fresh: 5,
  backfill: 6,
};

/** Orders candidates by source priority, then score (higher first), then episode id. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    SOURCE_PRIORITY[a.source] - SOURCE_PRIORITY[b.source] ||
    b.sourceScore - a.sourceScore ||
    a.episodeId - b.episodeId
  );
}

/**
 * One candidate per episode: of several proposals of the same episode, the one of the strongest
 * source (then the higher score) is kept. The result is ordered by compareCandidates.
 */
export function keepStrongest(proposals: Iterable<Candidate>): Candidate[] {
  const best = new Map<number, Candidate>();
  for (const candidate of proposals) {
    const held = best.get(candidate.episodeId);
    if (!held || compareCandidates(candidate, held) < 0) best.set(candidate.episodeId, candidate);
  }
  return [...best.values()].sort(compareCandidates);
}
