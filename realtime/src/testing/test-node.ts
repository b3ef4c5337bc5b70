import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Bus } from '@binge/core/bus';
import { loadConfig } from '@binge/core/config';
import type { Database } from '@binge/core/db';
import { createLogger } from '@binge/core/log';
import { createBus } from '@binge/core/runtime/adapters';
import type { GatewayOptions } from '../gateway/gateway.ts';
import type { TextFilter } from '@binge/core/moderation/text-filter';
import type { WatchIngester } from '@binge/core/watch-events/ingest';
import { startRealtimeNode, type RealtimeNode } from '../node.ts';
import { TEST_AUTH_SECRET } from './fixtures.ts';

export interface TestNode {
  url: string;
  node: RealtimeNode;
  bus: Bus;
  close(): Promise<void>;
}

/** A gateway node in this process on a free loopback port, with memory or Redis adapters. */
export async function startTestNode(options: {
  db: Database;
  nodeId?: string;
  redisUrl?: string;
  redisPrefix?: string;
  gateway?: GatewayOptions;
  textFilter?: TextFilter;
  bus?: Bus;
  watchIngester?: WatchIngester;
}): Promise<TestNode> {
  const config = loadConfig({
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'binge-rt-')),
    AUTH_SECRET: TEST_AUTH_SECRET,
    REALTIME_PORT: '0',
    REALTIME_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...(options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl }),
  });
  const bus = options.bus ?? createBus(config);
  const node = await startRealtimeNode({
    config,
    db: options.db,
    bus,
    logger: createLogger({
      level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent',
      name: 'rt-test',
    }),
    nodeId: options.nodeId ?? 'test-node',
    ...(options.redisPrefix === undefined ? {} : { redisPrefix: options.redisPrefix }),
    ...(options.gateway === undefined ? {} : { gateway: options.gateway }),
    ...(options.textFilter === undefined ? {} : { textFilter: options.textFilter }),
    ...(options.watchIngester === undefined ? {} : { watchIngester: options.watchIngester }),
  });
  return {
    url: `ws://127.0.0.1:${node.port}/ws`,
    node,
    bus,
    async close() {
      await node.close();
      if (options.bus === undefined) await bus.close();
    },
  };
}
