import { createHash } from 'node:crypto';

/**
 * Remembers who opened which share link in the last minute, so that a reload, a double tap or a
 * browser's second request for the same page counts as one open. A port with two adapters:
 * process memory (repeat-opens-memory.ts, the embedded platform) and Redis
 * (repeat-opens-redis.ts, shared by every API process when REDIS_URL is set).
 */
export interface RepeatOpens {
  /** true when `key` was not seen within the window (and marks it seen now); false for a repeat. */
  firstWithin(key: string): Promise<boolean>;
}

/** How long an open by the same client counts as the same open. */
export const REPEAT_WINDOW_MS = 60_000;

/**
 * The key of one client opening one link: the code, the client IP and the User-Agent, hashed so
 * a long or hostile header costs a fixed 32 characters of memory and never reaches a Redis key.
 */
export function repeatKey(code: string, ip: string, userAgent: string): string {
  return createHash('sha256')
    .update(`${code}\u0000${ip}\u0000${userAgent}`)
    .digest('base64url')
    .slice(0, 32);
}
