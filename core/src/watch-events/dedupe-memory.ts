import { DEFAULT_DEDUPE_TTL_MS, type DedupeStore } from './dedupe.ts';

/**
 * Dedupe marks in process memory (the embedded platform). A Map keeps insertion order and every
 * mark lives the same TTL, so the oldest marks are always at the front: expiry pops from there.
 * Past `maxEntries` the oldest marks go early, which only shortens the resend window for them.
 */
export function createMemoryDedupe(
  options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): DedupeStore {
  const ttl = options.ttlMs ?? DEFAULT_DEDUPE_TTL_MS;
  const maxEntries = options.maxEntries ?? 500_000;
  const now = options.now ?? Date.now;
  const marks = new Map<string, number>();

  function expire(at: number): void {
    for (const [key, expiresAt] of marks) {
      if (expiresAt > at && marks.size <= maxEntries) break;
      marks.delete(key);
    }
  }

  return {
    async claim(keys) {
      const at = now();
      expire(at);
      return keys.map((key) => {
        const expiresAt = marks.get(key);
        if (expiresAt !== undefined && expiresAt > at) return false;
        marks.delete(key);
        marks.set(key, at + ttl);
        return true;
      });
    },

    async release(keys) {
      for (const key of keys) marks.delete(key);
    },
  };
}
