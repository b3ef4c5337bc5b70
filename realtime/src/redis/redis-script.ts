import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

type Argument = string | number | Buffer;

/**
 * A Lua script run by its SHA1 (EVALSHA), sending the source (EVAL) only when Redis answers
 * NOSCRIPT: on first use, and after a restart or SCRIPT FLUSH emptied its script cache.
 */
export interface RedisScript {
  run(redis: Redis, keys: string[], args: Argument[]): Promise<unknown>;
  /** The same, with bulk replies as Buffers (binary-safe payloads). */
  runBuffer(redis: Redis, keys: string[], args: Argument[]): Promise<unknown>;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

export function redisScript(source: string): RedisScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    },
    async runBuffer(redis, keys, args) {
      try {
        return await redis.callBuffer('EVALSHA', sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return redis.callBuffer('EVAL', source, keys.length, ...keys, ...args);
      }
    },
  };
}
