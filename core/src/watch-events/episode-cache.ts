/**
 * What the ingester needs to know of an episode to check an event against it, and a cache in
 * front of the lookup: a viewer sends a heartbeat every few seconds for the same episode, and
 * each must not cost a query. LRU with a short TTL, so an episode that is unpublished or
 * re-encoded with another duration is seen within a minute; a miss (no such playable episode)
 * is remembered for less, so an episode that just became ready is accepted soon. Concurrent
 * misses for one episode share one lookup.
 */
export interface PlayableEpisode {
  seriesId: number;
  /** 0 while unknown (no media yet): positions are then checked against the maximum only. */
  durationMs: number;
}

/** Answers the playable episodes among `ids`; absent ids are not playable (or do not exist). */
export type EpisodeLookup = (ids: readonly number[]) => Promise<Map<number, PlayableEpisode>>;

export interface EpisodeCache {
  /** Each id's episode, or null when it is not playable. Rejects when the lookup fails. */
  get(ids: readonly number[]): Promise<Map<number, PlayableEpisode | null>>;
}

export interface EpisodeCacheOptions {
  lookup: EpisodeLookup;
  maxEntries?: number;
  ttlMs?: number;
  missTtlMs?: number;
  now?: () => number;
}

export function createEpisodeCache(options: EpisodeCacheOptions): EpisodeCache {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 60_000;
  const missTtlMs = options.missTtlMs ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<number, { episode: PlayableEpisode | null; expiresAt: number }>();
  const inFlight = new Map<number, Promise<Map<number, PlayableEpisode>>>();

  function remember(id: number, episode: PlayableEpisode | null, at: number): void {
    entries.delete(id);
    entries.set(id, { episode, expiresAt: at + (episode === null ? missTtlMs : ttlMs) });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  }

  return {
    async get(ids) {
      const at = now();
      const found = new Map<number, PlayableEpisode | null>();
      const missing: number[] = [];
      const waits: [number, Promise<Map<number, PlayableEpisode>>][] = [];
      for (const id of new Set(ids)) {
        const entry = entries.get(id);
        if (entry !== undefined && entry.expiresAt > at) {
          // Most recently used last, so eviction takes the least recently used.
          entries.delete(id);
          entries.set(id, entry);
          found.set(id, entry.episode);
          continue;
        }
        const pending = inFlight.get(id);
        if (pending) waits.push([id, pending]);
        else missing.push(id);
      }
      if (missing.length > 0) {
        const query = options.lookup(missing);
        for (const id of missing) inFlight.set(id, query);
        try {
          const rows = await query;
          const done = now();
          for (const id of missing) {
            const episode = rows.get(id) ?? null;
            remember(id, episode, done);
            found.set(id, episode);
          }
        } finally {
          for (const id of missing) if (inFlight.get(id) === query) inFlight.delete(id);
        }
      }
      for (const [id, pending] of waits) found.set(id, (await pending).get(id) ?? null);
      return found;
    },
  };
}
