import { hostname } from 'node:os';
import { loadConfig } from '@binge/core/config';
import { openDatabase } from '@binge/core/db';
import { createLogger } from '@binge/core/log';
import { createBus } from '@binge/core/runtime/adapters';
import { startRealtimeNode } from './node.ts';
import path from 'node:path';

/**
 * The realtime gateway as its own process (the scaled topology: several behind the edge proxy,
 * sharing Redis and PostgreSQL). Environment: core's config (REDIS_URL, DATABASE_URL, AUTH_SECRET,
 * REALTIME_PORT, REALTIME_HOST, LOG_LEVEL, …) plus NODE_ID (default: host name and pid).
 * SIGTERM/SIGINT close every connection with 4000 (clients reconnect with jitter, elsewhere).
 */
async function main(): Promise<void> {
  const config = loadConfig({
    REALTIME_PORT: '8090',
    REALTIME_HOST: '0.0.0.0',
    ...process.env,
  });
  const logger = createLogger({ level: config.logLevel, name: 'realtime' });
  const nodeId = (process.env.NODE_ID ?? `${hostname()}-${process.pid}`)
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 32);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: path.join(config.dataDir, 'pglite'),
  });
  const bus = createBus(config);
  const node = await startRealtimeNode({ config, db: database.db, bus, logger, nodeId });
  // A line the process supervisor (and tests) can wait for.
  process.stdout.write(`realtime listening on ${config.realtimeHost}:${node.port} as ${nodeId}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'realtime gateway stopping');
    await node.close();
    await bus.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`realtime gateway failed to start: ${String(error)}\n`);
  process.exit(1);
});
