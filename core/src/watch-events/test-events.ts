import { randomBytes } from 'node:crypto';

let issued = 0;

/**
 * A client event id (`id` of a watch event, within the pattern of protocol/watch-events.ts),
 * unique across test processes sharing one Redis and one PostgreSQL: tests that must not meet
 * each other's dedupe marks or rows take their ids from here.
 */
export function clientEventId(): string {
  return `ev-${randomBytes(6).toString('hex')}-${++issued}`;
}
