import { Redis } from 'ioredis';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import type { DedupeStore } from './dedupe.ts';
import { createMemoryDedupe } from './dedupe-memory.ts';
import { createRedisDedupe } from './dedupe-redis.ts';
import { createEpisodeCache } from './episode-cache.ts';
import { createEventBudget } from './event-budget.ts';
import { createWatchIngester, type WatchIngester } from './ingest.ts';
import { sqlPlayableEpisodes } from './playable-episodes-sql.ts';
import type { EventStream } from './stream.ts';
import { createMemoryStream } from './stream-memory.ts';
import { createRedisStream } from './stream-redis.ts';

/** The consumer group of the ranker's event consumers (feed-ranker/src/events/consumer.ts). */
export const WATCH_EVENTS_GROUP = 'ranker';

/**
 * The watch-event pipeline of one process: the stream, the dedupe marks, the budgets and the
 * ingester over them, on Redis when REDIS_URL is set and in memory otherwise. The composition
 * root builds it once and hands the same instance to the API, the gateway and the consumer: on
 * the embedded path the in-memory stream only works if they share it.
 */
export interface WatchEventPipeline {
  stream: EventStream;
  dedupe: DedupeStore;
  ingester: WatchIngester;
  /** Closes the stream and the Redis connection this pipeline opened (not one it was given). */
  close(): Promise<void>;
}

export function createWatchEventPipeline(
  config: Pick<Config, 'redisUrl' | 'redisPrefix' | 'watchEventsPerMinute'>,
  deps: {
    db: Database;
    /** A connection to share; without one a pipeline on REDIS_URL opens its own. */
    redis?: Redis | undefined;
    logger?: Logger;
    /** Stream cap (entries not yet stored); DEFAULT_STREAM_CAP unless set. */
    streamCap?: number;
  },
): WatchEventPipeline {
  const logger = deps.logger ?? createLogger({ level: 'warn', name: 'watch-events' });
  const owned =
    deps.redis === undefined && config.redisUrl !== undefined
      ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2 })
      : undefined;
  owned?.on('error', (error: unknown) =>
    logger.warn({ err: error }, 'watch-event redis connection error'),
  );
  const redis = deps.redis ?? owned;
  const prefix = config.redisPrefix;
  const cap = deps.streamCap === undefined ? {} : { cap: deps.streamCap };
  const stream = redis
    ? createRedisStream({ redis, key: `${prefix}watch-events`, logger, ...cap })
    : createMemoryStream(cap);
  const dedupe = redis
    ? createRedisDedupe(redis, { prefix: `${prefix}watch-seen:` })
    : createMemoryDedupe();
  const ingester = createWatchIngester({
    episodes: createEpisodeCache({ lookup: sqlPlayableEpisodes(deps.db) }),
    budget: createEventBudget({ perMinute: config.watchEventsPerMinute, redis, prefix }),
    dedupe,
    stream,
    logger,
  });
  let closing: Promise<void> | null = null;
  return {
    stream,
    dedupe,
    ingester,
    close: () =>
      (closing ??= (async () => {
        await stream.close();
        owned?.disconnect();
      })()),
  };
}
