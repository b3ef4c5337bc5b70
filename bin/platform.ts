import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadConfig, type Config } from '@binge/core/config';
import { openDatabase, type DatabaseHandle } from '@binge/core/db';
import {
  createBus,
  createQueue,
  createRedisClient,
  createStorage,
} from '@binge/core/runtime/adapters';
import { createLogger } from '@binge/core/log';
import { topics, type Bus, type MediaProgressMessage } from '@binge/core/bus';
import { createEpisodeReminders } from '@binge/core/notifications/episode-reminders';
import { createSqlNotificationStore } from '@binge/core/notifications/store-sql';
import { queueNames, type Queue } from '@binge/core/queue';
import { build } from '../api/src/app.ts';
import { createMediaProcessor } from '../media/src/processor/media-processor.ts';
import { seedDemoCatalog } from '../media/src/demo/seed.ts';
import { demoProfile } from '../media/src/demo/demo-catalog.ts';
import { startRealtimeNode, type RealtimeNode } from '../realtime/src/node.ts';
import {
  startRankerRuntime,
  type RankerRuntime,
} from '../feed-ranker/src/serving/ranker-runtime.ts';
import { forwardUpgrades } from '../realtime/src/gateway/upgrade-forwarder.ts';
import { createWatchEventPipeline } from '@binge/core/watch-events/pipeline';
import type { SmsSender } from '@binge/core/accounts/sms-sender';
import { createEventConsumer, type EventConsumer } from '../feed-ranker/src/events/consumer.ts';

/**
 * The embedded platform: api, media worker and web in one process on one port, with PGlite, the
 * in-process bus and the database-backed queue unless DATABASE_URL / REDIS_URL say otherwise.
 * This is the composition root, the one place allowed to import several services.
 */
export interface Platform {
  url: string;
  port: number;
  config: Config;
  database: DatabaseHandle;
  bus: Bus;
  queue: Queue;
  /** The realtime gateway, reached through `/ws` of the public port. */
  realtime: RealtimeNode;
  /** The feed ranker in process: the feed of the API and the gateway, its models and training. */
  ranker: RankerRuntime;
  /** Moves watch events from the event stream into watch_events and the features. */
  events: EventConsumer;
  /** Resolves when the demo catalog's jobs are enqueued (not transcoded). */
  seeded: Promise<void>;
  stop(): Promise<void>;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function loadWebHandler(): Promise<NodeHandler | null> {
  const file = path.join(root, 'web/build/handler.js');
  if (!existsSync(file)) return null;
  const module = (await import(pathToFileURL(file).href)) as { handler: NodeHandler };
  return module.handler;
}

/** Parts a test swaps in, e.g. an SMS sender it reads the sign-in codes from. */
export interface PlatformOverrides {
  smsSender?: SmsSender;
}

export async function startPlatform(
  env: Record<string, string | undefined> = process.env,
  overrides: PlatformOverrides = {},
): Promise<Platform> {
  const config = loadConfig(env);
  const logger = createLogger({ level: config.logLevel, name: 'binge' });
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: path.join(config.dataDir, 'pglite'),
  });
  const storage = createStorage(config);
  const bus = createBus(config);
  const redis = createRedisClient(config);
  const queue = createQueue(config, database.db, queueNames.media, logger);
  // One watch-event pipeline for the API, the gateway and the consumer: embedded, its stream is
  // in this process's memory, so they must share the instance.
  const watchEvents = createWatchEventPipeline(config, {
    db: database.db,
    redis,
    logger: logger.child({ component: 'watch-events' }),
  });
  const events = createEventConsumer({
    db: database.db,
    stream: watchEvents.stream,
    logger: logger.child({ component: 'event-consumer' }),
    name: `embedded-${process.pid}`,
    retentionDays: config.eventRetentionDays,
  });
  await events.start();
  // One ranker for both feeds (GET /api/v1/feed and the gateway's `feed` frame).
  const rankerQueue = createQueue(config, database.db, queueNames.ranker, logger);
  const ranker = await startRankerRuntime({
    config,
    db: database.db,
    storage,
    bus,
    logger,
    queue: rankerQueue,
  });

  const web = await loadWebHandler();
  if (!web)
    logger.warn(
      'web/build is missing: only /api, /media and /docs are served (run npm run build:web)',
    );
  const app = await build(
    {
      config,
      db: database,
      storage,
      logger,
      bus,
      feed: ranker.feed,
      watchIngester: watchEvents.ingester,
      ...(redis ? { redis } : {}),
      ...(overrides.smsSender ? { smsSender: overrides.smsSender } : {}),
    },
    web
      ? {
          fallback: (request, reply) => {
            reply.hijack();
            web(request.raw, reply.raw, () => {
              reply.raw.statusCode = 404;
              reply.raw.end('Not found');
            });
          },
        }
      : {},
  );

  const unsubscribe = await bus.subscribe<MediaProgressMessage>(topics.mediaProgress, (message) => {
    if (message.stage === 'done') logger.info({ episodeId: message.episodeId }, 'episode ready');
    if (message.stage !== 'failed') return;
    // A job aborted by shutdown goes back to the queue; only a real failure deserves a warning.
    if (message.error?.startsWith('MEDIA_ABORTED'))
      logger.info(
        { episodeId: message.episodeId },
        'transcode interrupted; it resumes at next start',
      );
    else logger.warn({ episodeId: message.episodeId, error: message.error }, 'episode failed');
  });

  // Follow-up (追剧) reminders: an episode's 'done' becomes a notification for each follower.
  const reminders = await createEpisodeReminders({
    bus,
    store: createSqlNotificationStore(database.db),
    logger: logger.child({ component: 'episode-reminders' }),
  });

  const demo = demoProfile(config.demoScale);
  if (config.mediaWorker) {
    const processor = createMediaProcessor({
      db: database.db,
      storage,
      bus,
      config,
      logger,
      demoCatalog: demo.catalog,
      demoSourceSize: demo.sourceSize,
    });
    queue.work(processor, {
      concurrency: config.transcodeConcurrency,
    });
  }

  // The gateway listens on loopback; the public port forwards `/ws` upgrades to it.
  const realtime = await startRealtimeNode({
    config: { ...config, realtimeHost: '127.0.0.1' },
    db: database.db,
    bus,
    logger: logger.child({ service: 'realtime' }),
    nodeId: `embedded-${process.pid}`,
    feed: ranker.feed,
    watchIngester: watchEvents.ingester,
  });
  const forwarder = forwardUpgrades(app.server, { host: '127.0.0.1', port: realtime.port });

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.port === 0 ? `http://localhost:${port}` : config.publicUrl;

  const seeded = config.demoSeed
    ? seedDemoCatalog({
        db: database.db,
        storage,
        queue,
        config,
        logger,
        catalog: demo.catalog,
      }).catch((error: unknown) => {
        logger.error({ err: error }, 'demo catalog seeding failed');
      })
    : Promise.resolve();

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      // Order matters: stop taking requests and let in-flight ones finish, then hand active jobs
      // back to the queue (they rerun at next start), then close the stores they write to.
      // Realtime first: its clients get 4000 (reconnect with jitter) before the port goes away.
      await realtime.close();
      await forwarder.close();
      await app.close();
      // Nothing ingests any more: store what the stream still holds, then close it.
      await events.stop();
      await watchEvents.close();
      await seeded;
      await queue.close();
      await rankerQueue.close();
      await ranker.stop();
      // No job reports 'done' any more: finish the reminders under way while the database is open.
      await reminders.close();
      await unsubscribe();
      await bus.close();
      redis?.disconnect();
      await database.close();
    })());

  return { url, port, config, database, bus, queue, realtime, ranker, events, seeded, stop };
}

async function main(): Promise<void> {
  let platform: Platform;
  try {
    platform = await startPlatform();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  console.log(`\n  Binge is running: open ${platform.url}\n  API docs: ${platform.url}/docs\n`);
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    console.log(`\n  ${signal}: shutting down (press Ctrl+C again to force)`);
    const timer = setTimeout(() => {
      console.error('  shutdown took too long; exiting');
      process.exit(1);
    }, platform.config.shutdownGraceSeconds * 1000);
    timer.unref();
    platform.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
