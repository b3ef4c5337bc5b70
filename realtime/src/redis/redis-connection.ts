import { createLogger, type Logger } from '@binge/core/log';
import { Redis } from 'ioredis';

/** Either a URL to open (and quit on close), or a caller's connection, used as is and left open. */
export interface RedisConnectionOptions {
  url?: string | undefined;
  client?: Redis | undefined;
  logger?: Logger | undefined;
}

export interface RedisConnection {
  redis: Redis;
  /** Quits the connection if this adapter opened it; a shared one stays open. */
  close(): Promise<void>;
}

/** The connection handling every Redis adapter of the gateway shares. `name` labels its logs. */
export function openRedisConnection(
  options: RedisConnectionOptions,
  name: string,
): RedisConnection {
  if ((options.url === undefined) === (options.client === undefined)) {
    throw new TypeError(`${name} needs exactly one of url and client`);
  }
  if (options.client) return { redis: options.client, close: async () => undefined };
  const redis = new Redis(options.url!, { lazyConnect: false });
  const logger = options.logger ?? createLogger({ level: 'warn', name });
  // Without a listener ioredis reports connection errors as unhandled; it retries anyway, and a
  // command that fails rejects to its caller.
  redis.on('error', (error: unknown) => logger.warn({ err: error }, `${name} connection error`));
  return {
    redis,
    async close() {
      // quit() waits for pending replies; a connection that never came up is just dropped.
      if (redis.status === 'ready') {
        try {
          await redis.quit();
          return;
        } catch {
          // fall through to disconnect
        }
      }
      redis.disconnect();
    },
  };
}
