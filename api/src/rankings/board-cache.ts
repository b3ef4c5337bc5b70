/**
 * The in-process cache in front of the ranking boards: a board is loaded at most once per `ttlMs`
 * per process, and requests that miss at the same moment share the one load, so a burst of reads
 * after expiry costs one round of queries rather than one per request. A failed load is not kept.
 * Entries beyond `maxEntries` push out the oldest (boards × categories is small; the bound only
 * keeps a flood of distinct keys from growing it).
 */
export interface BoardCache<V> {
  get(key: string, load: () => Promise<V>): Promise<V>;
  /** Forgets every entry: the boards were just recomputed in this process. */
  clear(): void;
}

export function createBoardCache<V>(options: {
  ttlMs: number;
  maxEntries?: number;
  clock?: () => number;
}): BoardCache<V> {
  const { ttlMs } = options;
  const maxEntries = options.maxEntries ?? 1000;
  const clock = options.clock ?? Date.now;
  const entries = new Map<string, { at: number; value: Promise<V> }>();

  return {
    get(key, load) {
      const now = clock();
      const hit = entries.get(key);
      if (hit !== undefined && now - hit.at < ttlMs) return hit.value;
      entries.delete(key);
      const value = load();
      const entry = { at: now, value };
      entries.set(key, entry);
      value.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return value;
    },

    clear() {
      entries.clear();
    },
  };
}
