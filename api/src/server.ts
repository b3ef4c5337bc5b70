import closeWithGrace from 'close-with-grace';
import { loadConfig } from '@binge/core/config';
import { openDatabase } from '@binge/core/db';
import { createLogger } from '@binge/core/log';
import { createEpisodeReminders } from '@binge/core/notifications/episode-reminders';
import { createSqlNotificationStore } from '@binge/core/notifications/store-sql';
import { createBus, createRedisClient } from '@binge/core/runtime/adapters';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import { build } from './app.ts';

/**
 * The API as its own process (scaled topology). The embedded launcher calls build() instead and
 * mounts web beside it. On SIGINT/SIGTERM the server stops accepting connections, lets in-flight
 * requests finish (up to SHUTDOWN_GRACE_SECONDS), finishes the reminders under way, then closes
 * the bus and the database.
 */
const config = loadConfig();
const logger = createLogger({ level: config.logLevel, name: 'api' });
const db = await openDatabase({
  databaseUrl: config.databaseUrl,
  pgliteDir: `${config.dataDir}/pglite`,
});
const storage = createLocalStorage(`${config.dataDir}/media`);
// In the scaled topology the nginx edge forwards every request, so the peer is the edge's address
// and the client's is in X-Forwarded-For. Trusting the header only from loopback and private
// networks (proxy-addr presets) keeps per-client limits per client behind the edge, while a client
// reaching the API from a public address cannot forge its own.
const bus = createBus(config);
const redis = createRedisClient(config);
const app = await build(
  { config, db, storage, logger, bus, ...(redis ? { redis } : {}) },
  { trustProxy: 'loopback, linklocal, uniquelocal' },
);

// Follow-up (追剧) reminders: every API process hears each 'done' on the bus; the store's dedupe
// key lets exactly one of them create and push each follower's notification.
const reminders = await createEpisodeReminders({
  bus,
  store: createSqlNotificationStore(db.db),
  logger: logger.child({ component: 'episode-reminders' }),
});

closeWithGrace({ delay: config.shutdownGraceSeconds * 1000 }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'shutting down after an uncaught error');
  else logger.info({ signal }, 'shutting down');
  await app.close();
  await reminders.close();
  await bus.close();
  redis?.disconnect();
  await db.close();
});

await app.listen({ port: config.port, host: config.host });
