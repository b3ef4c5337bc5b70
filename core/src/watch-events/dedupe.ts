/**
 * Marks of watch events already accepted, by server id (event-id.ts), so a resend is answered
 * DUPLICATE instead of entering the stream twice. Redis SET NX with a TTL when scaled (every
 * ingester shares the marks), a TTL map in process memory when embedded.
 */
export interface DedupeStore {
  /**
   * Marks each key as seen and answers, in order, whether it was new. A key given twice in one
   * call is new the first time only.
   */
  claim(keys: readonly string[]): Promise<boolean[]>;
  /** Forgets marks: the events they stood for did not reach the stream after all. */
  release(keys: readonly string[]): Promise<void>;
}

/** How long a mark lasts: the window in which a resend is recognised. */
export const DEFAULT_DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;
