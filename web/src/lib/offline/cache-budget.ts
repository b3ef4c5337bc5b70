/**
 * The media cache's size arithmetic. The service worker keeps one manifest record per cached
 * response (its size and when it was last served); these functions decide what goes when a new
 * response would push the total past the cap. Least recently used goes first.
 */
export interface CacheRecord {
  key: string;
  bytes: number;
  /** ms since the epoch when it was stored or last served. */
  lastUsed: number;
  episodeId: number | null;
}

export const MB = 1024 * 1024;
export const defaultCapBytes = 200 * MB;
/** The choices the settings offer, in MB. */
export const capChoicesMb = [100, 200, 500, 1000] as const;
export const minCapBytes = 1 * MB;
export const maxCapBytes = 4096 * MB;

export interface CacheUsage {
  bytes: number;
  entries: number;
}

export function usageOf(records: readonly CacheRecord[]): CacheUsage {
  let bytes = 0;
  for (const record of records) bytes += record.bytes;
  return { bytes, entries: records.length };
}

/** A cap is a whole number of bytes between 1 MB and 4 GB; anything else is refused. */
export function isValidCap(bytes: unknown): bytes is number {
  return (
    typeof bytes === 'number' &&
    Number.isSafeInteger(bytes) &&
    bytes >= minCapBytes &&
    bytes <= maxCapBytes
  );
}

export type EvictionPlan = { fits: true; evict: string[] } | { fits: false; evict: [] };

/**
 * What to evict so `incomingBytes` more fit under `capBytes`, oldest use first (ties by key, so
 * the plan is deterministic). Records in `protect` are never chosen: they belong to the episode
 * being stored, and evicting its own first segments to make room for its later ones would leave
 * nothing playable. `fits: false` means the new response must not be stored.
 *
 * A record already stored under the incoming key is replaced, so its bytes do not count twice.
 */
export function planEviction(
  records: readonly CacheRecord[],
  capBytes: number,
  incoming: { key: string; bytes: number },
  protect: ReadonlySet<string> = new Set(),
): EvictionPlan {
  const others = records.filter((record) => record.key !== incoming.key);
  let total = usageOf(others).bytes + incoming.bytes;
  if (total <= capBytes) return { fits: true, evict: [] };
  const candidates = others
    .filter((record) => !protect.has(record.key))
    .sort((a, b) => a.lastUsed - b.lastUsed || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const evict: string[] = [];
  for (const record of candidates) {
    if (total <= capBytes) break;
    evict.push(record.key);
    total -= record.bytes;
  }
  return total <= capBytes ? { fits: true, evict } : { fits: false, evict: [] };
}

/** What to evict after the cap was lowered (nothing incoming, nothing protected). */
export function planShrink(records: readonly CacheRecord[], capBytes: number): string[] {
  const plan = planEviction(records, capBytes, { key: '', bytes: 0 });
  return plan.fits ? plan.evict : [];
}

/**
 * Repairs after the worker was stopped between its two writes (the Cache API and the IndexedDB
 * manifest cannot share a transaction): a cached response without a record would never be counted
 * or evicted, and a record without a response would count bytes that are not there.
 */
export function reconcilePlan(
  cachedKeys: readonly string[],
  recordKeys: readonly string[],
): { dropResponses: string[]; dropRecords: string[] } {
  const cached = new Set(cachedKeys);
  const recorded = new Set(recordKeys);
  return {
    dropResponses: cachedKeys.filter((key) => !recorded.has(key)),
    dropRecords: recordKeys.filter((key) => !cached.has(key)),
  };
}

/** Bytes as the settings show them: MB with one decimal below 10 MB, whole MB above. */
export function megabytes(bytes: number): number {
  const mb = bytes / MB;
  return mb < 10 ? Math.round(mb * 10) / 10 : Math.round(mb);
}
