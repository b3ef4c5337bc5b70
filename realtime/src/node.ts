import { encode } from '@msgpack/msgpack';
import { Value } from '@sinclair/typebox/value';
import {
  topics,
  type Bus,
  type MediaProgressMessage,
  type NotifyMessage,
  type UserBannedMessage,
} from '@binge/core/bus';
import type { Config } from '@binge/core/config';
import type { Database } from '@binge/core/db';
import { feedFromConfig } from '@binge/core/feed/configured-feed';
import type { FeedService } from '@binge/core/feed/feed-service';
import type { Logger } from '@binge/core/log';
import type { WatchIngester } from '@binge/core/watch-events/ingest';
import { createWatchEventPipeline } from '@binge/core/watch-events/pipeline';
import { createSqlSessionStore } from '@binge/core/accounts/session-store-sql';
import type { RealtimeStore } from '@binge/core/realtime-state';
import { createSqlRealtimeStore } from '@binge/core/realtime-state/store-sql';
import { createProgression } from '@binge/core/progression/progression';
import { createSqlProgressionStore } from '@binge/core/progression/store-sql';
import { isNodeId } from '@binge/core/protocol/crdt/hlc-stamp';
import { FeedData, NotifyData } from '@binge/core/protocol/realtime/payloads';
import type { Broker } from './broker/broker.ts';
import { createMemoryBroker } from './broker/broker-memory.ts';
import { createRedisBroker } from './broker/broker-redis.ts';
import { createSessionAuth } from './auth/session-auth.ts';
import { createCreatorEpisodes } from './gateway/creator-episodes.ts';
import { createGateway, type Gateway, type GatewayOptions } from './gateway/gateway.ts';
import { textFilterFromConfig } from '@binge/core/moderation/configured-filter';
import type { TextFilter } from '@binge/core/moderation/text-filter';
import { createMemoryLiveCounters } from './live/live-counters-memory.ts';
import { createRedisLiveCounters } from './live/live-counters-redis.ts';
import type { LiveCounters } from './live/live-counters.ts';
import { createMemoryRateLimiter } from './limits/rate-limiter-memory.ts';
import { createRedisRateLimiter } from './limits/rate-limiter-redis.ts';
import type { RateLimiter } from './limits/rate-limiter.ts';

/**
 * One realtime node: the gateway with the adapters `config` selects (Redis when REDIS_URL is set,
 * in-memory otherwise: the same code path either way) and its bus listeners. Used by the
 * standalone process (server.ts) and by the embedded platform (bin/platform.ts).
 */
export interface RealtimeNodeDeps {
  config: Config;
  db: Database;
  bus: Bus;
  logger: Logger;
  /** Unique per process; the HLC and live-counter node id. */
  nodeId: string;
  store?: RealtimeStore;
  textFilter?: TextFilter;
  /**
   * The feed of the `feed` frame: the embedded platform's in-process ranker; without it the
   * ranker's HTTP client (RANKER_URL) or the hot order (core/src/feed/configured-feed.ts).
   */
  feed?: FeedService;
  /**
   * Takes the `watch` frames' events: the composition root's (one pipeline shared with the API
   * and the event consumer); without it one on REDIS_URL's stream, closed with the node.
   */
  watchIngester?: WatchIngester;
  gateway?: GatewayOptions;
  /** Prefix of every Redis key and pub/sub channel (several deployments or test runs, one Redis). */
  redisPrefix?: string;
}

export interface RealtimeNode {
  gateway: Gateway;
  broker: Broker;
  /** The port the gateway listens on. */
  port: number;
  close(): Promise<void>;
}

/**
 * History kept per channel: what a reconnecting client can recover (the protocol's 1000, so the
 * window is exactly the recovery limit) and for how long a quiet channel keeps it.
 */
const HISTORY_CAPACITY = 1000;
const HISTORY_TTL_SECONDS = 24 * 3600;

export async function startRealtimeNode(deps: RealtimeNodeDeps): Promise<RealtimeNode> {
  const { config, db, bus, logger, nodeId } = deps;
  if (!isNodeId(nodeId)) throw new Error(`NODE_ID must match [A-Za-z0-9_-]{1,32}: ${nodeId}`);
  const history = { capacity: HISTORY_CAPACITY, ttlSeconds: HISTORY_TTL_SECONDS };
  let broker: Broker;
  let limiter: RateLimiter;
  let liveCounters: LiveCounters;
  if (config.redisUrl !== undefined) {
    const prefix = deps.redisPrefix ?? config.redisPrefix;
    broker = createRedisBroker({ url: config.redisUrl, logger, prefix, ...history });
    limiter = createRedisRateLimiter({ url: config.redisUrl, logger, prefix: `${prefix}rate:` });
    liveCounters = createRedisLiveCounters({
      url: config.redisUrl,
      logger,
      prefix: `${prefix}live:`,
    });
  } else {
    broker = createMemoryBroker(history);
    limiter = createMemoryRateLimiter();
    liveCounters = createMemoryLiveCounters();
  }
  // Stored danmu and progress earn experience and achievements; new ones are pushed on the bus.
  const store =
    deps.store ??
    createSqlRealtimeStore(db, {
      progression: createProgression({ store: createSqlProgressionStore(db), bus, logger }),
    });
  const textFilter = deps.textFilter ?? textFilterFromConfig(config);
  const ownPipeline =
    deps.watchIngester === undefined
      ? createWatchEventPipeline(
          { ...config, redisPrefix: deps.redisPrefix ?? config.redisPrefix },
          { db, logger: logger.child({ component: 'watch-events' }) },
        )
      : undefined;
  const watchIngester = deps.watchIngester ?? ownPipeline!.ingester;
  const gateway = createGateway(
    {
      broker,
      store,
      limiter,
      liveCounters,
      auth: createSessionAuth({
        authSecret: config.authSecret,
        sessions: createSqlSessionStore(db),
      }),
      logger,
      nodeId,
      creatorEpisodes: createCreatorEpisodes(db),
      textFilter,
      watchIngester,
      feed:
        deps.feed ?? feedFromConfig({ config, store, logger: logger.child({ component: 'feed' }) }),
    },
    deps.gateway,
  );

  // Notifications from other services: every node hears each one and appends it with its id as
  // the idempotency key, so it is stored and pushed once however many nodes run.
  const unsubscribeNotify = await bus.subscribe<NotifyMessage>(topics.notify, (message) => {
    const data = {
      id: String(message?.id ?? ''),
      k: message?.kind,
      t: message?.text,
      ...(message?.url === undefined ? {} : { url: message.url }),
      ts: Number.isSafeInteger(message?.ts) ? message.ts : Date.now(),
    };
    const userId = message?.userId;
    if (!Number.isInteger(userId) || userId < 1 || !Value.Check(NotifyData, data)) {
      logger.warn({ message }, 'malformed notification ignored');
      return;
    }
    broker
      .publish(`notify:${userId}`, encode(data), { idempotencyKey: `n:${data.id}` })
      .catch((error: unknown) => logger.warn({ err: error }, 'notification publish failed'));
  });

  // A new episode is ready: a feed hint ("inserted") so open feeds can offer it.
  const unsubscribeMedia = await bus.subscribe<MediaProgressMessage>(
    topics.mediaProgress,
    (message) => {
      if (message?.stage !== 'done' || !Number.isInteger(message.episodeId)) return;
      const data = { k: 1, ids: [message.episodeId] };
      if (!Value.Check(FeedData, data)) return;
      broker
        .publish('feed', encode(data), { idempotencyKey: `feed:${message.jobId}` })
        .catch((error: unknown) => logger.warn({ err: error }, 'feed hint publish failed'));
    },
  );

  // A moderator banned an account (api/src/moderation): every node closes its sockets here; the
  // hello or refresh of any later connection is refused by the session auth (auth/session-auth.ts).
  const unsubscribeBans = await bus.subscribe<UserBannedMessage>(topics.userBanned, (message) => {
    const userId = message?.userId;
    if (!Number.isInteger(userId) || userId < 1) {
      logger.warn({ message }, 'malformed ban message ignored');
      return;
    }
    const closed = gateway.disconnectUser(userId, 'BANNED');
    if (closed > 0) logger.info({ userId, closed }, 'closed the sockets of a banned account');
  });

  let port: number;
  try {
    port = await gateway.listen(config.realtimeHost, config.realtimePort);
  } catch (error) {
    await unsubscribeNotify();
    await unsubscribeMedia();
    await unsubscribeBans();
    await gateway.close();
    await Promise.allSettled([broker.close(), limiter.close(), liveCounters.close()]);
    await ownPipeline?.close();
    throw error;
  }
  logger.info({ port, nodeId, redis: config.redisUrl !== undefined }, 'realtime gateway listening');

  let closing: Promise<void> | null = null;
  return {
    gateway,
    broker,
    port,
    close: () =>
      (closing ??= (async () => {
        await unsubscribeNotify();
        await unsubscribeMedia();
        await unsubscribeBans();
        await gateway.close();
        await Promise.allSettled([broker.close(), limiter.close(), liveCounters.close()]);
        await ownPipeline?.close();
      })()),
  };
}
