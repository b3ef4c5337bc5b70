import path from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { Bus } from '../bus/bus.ts';
import { createMemoryBus } from '../bus/bus-memory.ts';
import { createRedisBus } from '../bus/bus-redis.ts';
import type { Queue } from '../queue/queue.ts';
import { createLocalQueue } from '../queue/queue-local.ts';
import { createBullmqQueue } from '../queue/queue-bullmq.ts';
import type { Storage } from '../storage/storage.ts';
import { createLocalStorage } from '../storage/storage-local.ts';
import type { Logger } from '../log/logger.ts';
import type { SmsSender } from '../accounts/sms-sender.ts';
import { createLogSmsSender } from '../accounts/sms-sender-log.ts';

/**
 * The one place where configuration picks an adapter for each port (DESIGN.md: "an adapter is
 * chosen at start, never an `if` in business logic"). Every process entry point calls these.
 */
export function createBus(config: Config): Bus {
  return config.redisUrl ? createRedisBus({ url: config.redisUrl }) : createMemoryBus();
}

export function createQueue(config: Config, db: Database, name: string, logger?: Logger): Queue {
  return config.redisUrl
    ? createBullmqQueue({ url: config.redisUrl, name, logger })
    : // Alone on PGlite, this process owns every job, so jobs a crash left active rerun at once.
      createLocalQueue({ db, name, logger, exclusive: !config.databaseUrl });
}

/** Media files live under `${dataDir}/media`; an S3 adapter slots in here when configured. */
export function createStorage(config: Config): Storage {
  return createLocalStorage(path.join(config.dataDir, 'media'));
}

/**
 * A Redis connection for counters shared by every process (rate limits, sign-in lockouts), or
 * undefined without REDIS_URL, where each adapter keeps them in process memory instead.
 */
export function createRedisClient(config: Config): Redis | undefined {
  return config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2 }) : undefined;
}

/**
 * How sign-in codes reach phones (SMS_PROVIDER). `log`, the only built-in, writes them to the log;
 * a real provider is one adapter file in core/src/accounts and one case here.
 */
export function createSmsSender(config: Config, logger: Logger): SmsSender {
  switch (config.smsProvider) {
    case 'log':
      return createLogSmsSender(logger);
  }
}
