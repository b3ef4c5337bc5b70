import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * Key isolation for tests against the shared Redis server: each run writes under its own random
 * prefix and deletes exactly those keys afterwards, never KEYS or FLUSHDB.
 */
export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testKeyPrefix(area: string): string {
  return `binge-test-${randomBytes(4).toString('hex')}:${area}:`;
}

/** Every key under a prefix, by SCAN. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** Deletes every key under a prefix, on the given connection or on a short-lived one. */
export async function deleteKeysUnder(prefix: string, redis?: Redis): Promise<void> {
  const connection = redis ?? new Redis(testRedisUrl);
  try {
    const keys = await keysUnder(connection, prefix);
    if (keys.length > 0) await connection.del(...keys);
  } finally {
    if (!redis) connection.disconnect();
  }
}
