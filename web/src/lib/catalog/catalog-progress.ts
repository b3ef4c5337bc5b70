import type { SeriesSummary } from '@binge/core/protocol/catalog';

export interface CatalogProgress {
  ready: number;
  total: number;
  /** Some listed episodes are still waiting for the media pipeline. */
  generating: boolean;
}

/** How far the media pipeline has got with the series on screen (a series listed twice counts once). */
export function catalogProgress(
  ...lists: ReadonlyArray<readonly SeriesSummary[]>
): CatalogProgress {
  const seen = new Map<number, SeriesSummary>();
  for (const list of lists) for (const series of list) seen.set(series.id, series);
  let ready = 0;
  let total = 0;
  for (const series of seen.values()) {
    ready += Math.min(series.readyEpisodeCount, series.episodeCount);
    total += series.episodeCount;
  }
  return { ready, total, generating: ready < total };
}
