import { createHash } from 'node:crypto';

/**
 * The server id of a watch event: derived from the user and the client's own id, so a resend of
 * the same event (an offline queue flushed twice, a retry after a lost ack) maps to the same id
 * everywhere: the dedupe mark, the stream entry and the watch_events row. 22 base64url characters
 * of SHA-256 (132 bits): collisions are out of reach, and the id is short in every index.
 */
export function serverEventId(userId: number, clientId: string): string {
  return createHash('sha256').update(`${userId}:${clientId}`).digest('base64url').slice(0, 22);
}
