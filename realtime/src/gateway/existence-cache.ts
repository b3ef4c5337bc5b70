/**
 * Remembers whether an episode, room or user exists, so a swipe through the feed (a subscribe per
 * channel per episode) does not cost a database round trip each time. Positive answers live
 * longer than negative ones: a catalog row rarely disappears, while a freshly published episode
 * should become subscribable quickly. Concurrent lookups of one key share one query.
 */
export class ExistenceCache {
  #entries = new Map<string, { exists: boolean; until: number }>();
  #inflight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly now: () => number,
    private readonly positiveMs = 60_000,
    private readonly negativeMs = 5_000,
    private readonly maxEntries = 50_000,
  ) {}

  async exists(key: string, lookup: () => Promise<boolean>): Promise<boolean> {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.until > this.now()) return entry.exists;
    const running = this.#inflight.get(key);
    if (running !== undefined) return running;
    const query = lookup()
      .then((exists) => {
        if (this.#entries.size >= this.maxEntries) this.#entries.clear();
        this.#entries.set(key, {
          exists,
          until: this.now() + (exists ? this.positiveMs : this.negativeMs),
        });
        return exists;
      })
      .finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, query);
    return query;
  }
}
