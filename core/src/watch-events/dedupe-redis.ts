import type { Redis } from 'ioredis';
import { DEFAULT_DEDUPE_TTL_MS, type DedupeStore } from './dedupe.ts';

/**
 * Dedupe marks in Redis: one `SET <prefix><id> 1 NX PX <ttl>` per event, pipelined, so a batch
 * costs one round trip. The memory cost is one short key per accepted event for the TTL (about
 * 80 bytes each: a day at 1,000 events a second is some 7 GB), which is what sizes the TTL.
 */
export function createRedisDedupe(
  redis: Redis,
  options: { prefix: string; ttlMs?: number },
): DedupeStore {
  const ttl = String(options.ttlMs ?? DEFAULT_DEDUPE_TTL_MS);
  const keyOf = (id: string) => `${options.prefix}${id}`;
  return {
    async claim(keys) {
      if (keys.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.set(keyOf(key), '1', 'PX', ttl, 'NX');
      const results = await pipeline.exec();
      if (results === null) throw new Error('dedupe pipeline was aborted');
      return results.map(([error, value]) => {
        if (error) throw error;
        return value === 'OK';
      });
    },

    async release(keys) {
      if (keys.length === 0) return;
      await redis.del(...keys.map(keyOf));
    },
  };
}
