/**
 * A bounded in-memory cache of small media objects (HLS segments, playlists, posters), least
 * recently used out first. Entries are validated against the object's current ETag on every hit,
 * so an overwritten file is never served stale. Short dramas concentrate views on the first
 * seconds of few episodes; serving those from memory saves a thread-pool read and a copy per
 * request, which is most of what separates us from a sendfile server.
 */
export interface MediaCache {
  get(key: string, etag: string): Buffer | null;
  set(key: string, etag: string, body: Buffer): void;
  /** Objects larger than this are streamed, never cached. */
  readonly maxObjectBytes: number;
  readonly bytes: number;
}

export function createMediaCache(options: {
  maxBytes: number;
  maxObjectBytes: number;
}): MediaCache {
  const entries = new Map<string, { etag: string; body: Buffer }>();
  let bytes = 0;

  function remove(key: string) {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.body.length;
  }

  return {
    maxObjectBytes: Math.min(options.maxObjectBytes, options.maxBytes),
    get bytes() {
      return bytes;
    },
    get(key, etag) {
      const entry = entries.get(key);
      if (!entry) return null;
      if (entry.etag !== etag) {
        remove(key);
        return null;
      }
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      entries.delete(key);
      entries.set(key, entry);
      return entry.body;
    },
    set(key, etag, body) {
      if (body.length > this.maxObjectBytes) return;
      remove(key);
      entries.set(key, { etag, body });
      bytes += body.length;
      for (const [oldest] of entries) {
        if (bytes <= options.maxBytes) break;
        remove(oldest);
      }
    },
  };
}
