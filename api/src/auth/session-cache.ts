/**
 * A short-lived, bounded, per-process memory of session lookups, so the access-token check does not
 * read `auth_sessions` on every request. The cost is a window: a session revoked by another API
 * process is still accepted here for up to `ttlMs` (a few seconds). Revocations made by this
 * process forget their entries at once (forget()), so a logout is immediate on the process that
 * served it, and everywhere after the window.
 */
export interface SessionCache<T> {
  get(sessionId: string): T | undefined;
  set(sessionId: string, value: T): void;
  forget(sessionIds: Iterable<string>): void;
}

export function createSessionCache<T>(options: {
  ttlMs: number;
  /** Entries kept at most; the oldest insert goes first. */
  maxEntries: number;
  now?: () => number;
}): SessionCache<T> {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: T; until: number }>();
  return {
    get(sessionId) {
      const entry = entries.get(sessionId);
      if (entry === undefined) return undefined;
      if (entry.until <= now()) {
        entries.delete(sessionId);
        return undefined;
      }
      return entry.value;
    },
    set(sessionId, value) {
      if (options.ttlMs <= 0) return;
      entries.delete(sessionId);
      if (entries.size >= options.maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(sessionId, { value, until: now() + options.ttlMs });
    },
    forget(sessionIds) {
      for (const id of sessionIds) entries.delete(id);
    },
  };
}
