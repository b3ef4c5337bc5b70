import type { Redis } from 'ioredis';
import { REPEAT_WINDOW_MS, type RepeatOpens } from './repeat-opens.ts';

/**
 * RepeatOpens in Redis, shared by every API process: one `SET key 1 PX <window> NX` per open,
 * which sets the key and answers OK only for the first open in the window, atomically.
 */
export function createRedisRepeatOpens(
  redis: Redis,
  options: { prefix: string; windowMs?: number },
): RepeatOpens {
  const windowMs = options.windowMs ?? REPEAT_WINDOW_MS;
  return {
    async firstWithin(key) {
      const reply = await redis.set(`${options.prefix}${key}`, '1', 'PX', windowMs, 'NX');
      return reply === 'OK';
    },
  };
}
