import { and, eq, inArray } from 'drizzle-orm';
import { isPublishedSeries } from '../catalog/published-series.ts';
import type { Database } from '../db/database.ts';
import { episodes, series } from '../db/schema.ts';
import type { EpisodeLookup, PlayableEpisode } from './episode-cache.ts';

/**
 * The episodes a viewer can be watching: ready (published media) in a published series, the
 * same condition the catalog and the playback endpoint apply.
 */
export function sqlPlayableEpisodes(db: Database): EpisodeLookup {
  return async (ids) => {
    const found = new Map<number, PlayableEpisode>();
    if (ids.length === 0) return found;
    const rows = await db
      .select({ id: episodes.id, seriesId: episodes.seriesId, durationMs: episodes.durationMs })
      .from(episodes)
      .innerJoin(series, eq(series.id, episodes.seriesId))
      .where(and(inArray(episodes.id, [...ids]), eq(episodes.status, 'ready'), isPublishedSeries));
    for (const row of rows)
      found.set(row.id, { seriesId: row.seriesId, durationMs: row.durationMs });
    return found;
  };
}
