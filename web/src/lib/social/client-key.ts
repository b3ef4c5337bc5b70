/**
 * A fresh idempotency key for a send (a comment's `cmid`, a chat line's or DM's): the API and the
 * gateway both take `[A-Za-z0-9_-]{8,64}`. A retry sends the same key, so a send that did arrive
 * before its answer was lost is not stored twice.
 */
export function newClientKey(random: () => string = () => crypto.randomUUID()): string {
  return `k${random().replaceAll('-', '')}`.slice(0, 33);
}
