import { and, eq } from 'drizzle-orm';
import type { Database } from '@binge/core/db';
import { episodes, series } from '@binge/core/db/schema';

/**
 * The episodes behind `live:creator:<id>`: every episode of the creator's series, cached for a
 * minute (a studio page asks once a second, and new episodes are rare).
 */
export function createCreatorEpisodes(
  db: Database,
  now: () => number = Date.now,
  ttlMs = 60_000,
): (creatorId: number) => Promise<number[]> {
  const cache = new Map<number, { ids: number[]; until: number }>();
  return async (creatorId) => {
    const hit = cache.get(creatorId);
    if (hit !== undefined && hit.until > now()) return hit.ids;
    const rows = await db
      .select({ id: episodes.id })
      .from(episodes)
      .innerJoin(series, eq(series.id, episodes.seriesId))
      .where(and(eq(series.creatorId, creatorId)));
    const ids = rows.map((r) => r.id);
    if (cache.size > 10_000) cache.clear();
    cache.set(creatorId, { ids, until: now() + ttlMs });
    return ids;
  };
}
