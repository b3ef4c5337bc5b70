import { hostname } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@binge/core/config';
import { openDatabase } from '@binge/core/db';
import { createLogger } from '@binge/core/log';
import { queueNames } from '@binge/core/queue';
import { createBus, createQueue, createStorage } from '@binge/core/runtime/adapters';
import { createWatchEventPipeline } from '@binge/core/watch-events/pipeline';
import { createEventConsumer, type EventConsumer } from './events/consumer.ts';
import { createRankerHttp } from './serving/ranker-http.ts';
import { startRankerRuntime } from './serving/ranker-runtime.ts';

/**
 * The feed ranker as its own process (the scaled topology, docker-compose.yml `feed-ranker`,
 * port 8090): POST /feed/page for the API and gateway processes that have RANKER_URL, GET /health,
 * training on the `ranker` queue, and, with REDIS_URL, a consumer of the watch-event stream the
 * API and gateway processes write to (one per process, all in the `ranker` group, so scaling this
 * service scales ingestion; a dead one's pending entries are claimed by the others). Environment: core's config (DATABASE_URL, REDIS_URL,
 * AUTH_SECRET, PORT, HOST, RANKER_*, LOG_LEVEL). SIGTERM/SIGINT stop taking pages, finish the
 * ones under way and hand an active training job back to the queue.
 */
async function main(): Promise<void> {
  const config = loadConfig({ PORT: '8090', ...process.env });
  const logger = createLogger({ level: config.logLevel, name: 'feed-ranker' });
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: path.join(config.dataDir, 'pglite'),
  });
  const storage = createStorage(config);
  const bus = createBus(config);
  const queue = createQueue(config, database.db, queueNames.ranker, logger);
  let events: EventConsumer | undefined;
  const watchEvents =
    config.redisUrl === undefined
      ? undefined
      : createWatchEventPipeline(config, {
          db: database.db,
          logger: logger.child({ component: 'watch-events' }),
        });
  if (watchEvents) {
    events = createEventConsumer({
      db: database.db,
      stream: watchEvents.stream,
      logger: logger.child({ component: 'event-consumer' }),
      name: `feed-ranker-${hostname()}-${process.pid}`,
      retentionDays: config.eventRetentionDays,
    });
    await events.start();
  } else {
    // Without Redis the API's and gateway's streams live in their own processes' memory.
    logger.warn('REDIS_URL is not set: this process consumes no watch events');
  }
  const ranker = await startRankerRuntime({
    config,
    db: database.db,
    storage,
    bus,
    logger,
    queue,
  });
  const http = createRankerHttp({
    feed: ranker.feed,
    authSecret: config.authSecret,
    logger,
    modelVersion: () => ranker.registry.version(),
  });
  const port = await http.listen(config.port, config.host);
  // A line the process supervisor (and tests) can wait for.
  process.stdout.write(`feed-ranker listening on ${config.host}:${port}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'feed-ranker stopping');
    await http.close();
    await events?.stop();
    await watchEvents?.close();
    await queue.close();
    await ranker.stop();
    await bus.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`feed-ranker failed to start: ${String(error)}\n`);
  process.exit(1);
});
