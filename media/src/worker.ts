import path from 'node:path';
import { loadConfig } from '@binge/core/config';
import { openDatabase } from '@binge/core/db';
import { createLogger } from '@binge/core/log';
import { queueNames } from '@binge/core/queue';
import { createBus, createQueue, createStorage } from '@binge/core/runtime/adapters';
import { createMediaProcessor } from './processor/media-processor.ts';
import { demoProfile } from './demo/demo-catalog.ts';
import { seedDemoCatalog } from './demo/seed.ts';

/**
 * The media worker of the scaled topology: one process that only transcodes. With REDIS_URL it
 * takes jobs from BullMQ and publishes progress on Redis; without, it runs the database-backed
 * local queue. With DEMO_SEED it seeds the demo catalog. SIGINT/SIGTERM abort the running job (it
 * goes back to waiting) and exit.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'media-worker' });
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: path.join(config.dataDir, 'pglite'),
  });
  const storage = createStorage(config);
  const bus = createBus(config);
  const queue = createQueue(config, database.db, queueNames.media, logger);
  const demo = demoProfile(config.demoScale);
  queue.work(
    createMediaProcessor({
      db: database.db,
      storage,
      bus,
      config,
      logger,
      demoCatalog: demo.catalog,
      demoSourceSize: demo.sourceSize,
    }),
    {
      concurrency: config.transcodeConcurrency,
    },
  );
  logger.info(
    { queue: queue.kind, bus: bus.kind, database: database.kind },
    'media worker started',
  );
  // The scaled topology's demo catalog: idempotent, with deterministic job ids, so several
  // workers starting together queue each episode once.
  const seeded = config.demoSeed
    ? seedDemoCatalog({ db: database.db, storage, queue, config, logger, catalog: demo.catalog })
    : Promise.resolve();
  seeded.catch((error: unknown) => logger.error({ err: error }, 'demo catalog seeding failed'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'media worker stopping');
    const force = setTimeout(
      () => {
        logger.error('media worker did not stop in time; exiting');
        process.exit(1);
      },
      config.shutdownGraceSeconds * 1000 + 5000,
    );
    force.unref();
    try {
      await seeded.catch(() => undefined);
      await queue.close();
      await bus.close();
      await database.close();
      process.exitCode = 0;
    } catch (error) {
      logger.error({ err: error }, 'error while stopping the media worker');
      process.exitCode = 1;
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
