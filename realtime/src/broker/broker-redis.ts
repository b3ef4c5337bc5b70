import { createLogger, type Logger } from '@binge/core/log';
import { Redis } from 'ioredis';
import { createRedisHistory } from '../recovery/history-redis.ts';
import type { ChannelHistoryOptions } from '../recovery/history.ts';
import { openRedisConnection } from '../redis/redis-connection.ts';
import type { Announcement, AnnouncementHandler, Broker } from './broker.ts';

export interface RedisBrokerOptions extends ChannelHistoryOptions {
  url: string;
  /** Prepended to every key and pub/sub channel, so deployments (and test runs) can share Redis. */
  prefix?: string;
  logger?: Logger;
}

/** Ephemeral announcements start with this byte; history ones with the offset's first digit. */
const EPHEMERAL = 0x65; // 'e'
const COLON = 0x3a;

/**
 * Parses `<offset>:<epoch>:<data>` (written by history-redis.ts's append script) or `e<data>`.
 * Returns null for anything else, which a follower then never sees.
 */
export function parseAnnouncement(channel: string, message: Buffer): Announcement | null {
  if (message.length > 0 && message[0] === EPHEMERAL) {
    return { channel, epoch: null, offset: null, data: message.subarray(1) };
  }
  const first = message.indexOf(COLON);
  if (first < 1 || first > 16) return null;
  const second = message.indexOf(COLON, first + 1);
  if (second < 0 || second - first - 1 > 32) return null;
  const offset = Number(message.toString('latin1', 0, first));
  if (!Number.isSafeInteger(offset) || offset < 1) return null;
  const epoch = message.toString('latin1', first + 1, second);
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(epoch)) return null;
  return { channel, epoch, offset, data: message.subarray(second + 1) };
}

/**
 * The scaled broker. Appends run history-redis.ts's script, which PUBLISHes inside the same
 * script, so announcements of a channel leave Redis in offset order whichever node appended.
 * Each node holds one subscriber connection and SUBSCRIBEs to the channels it follows; ioredis
 * resubscribes after a reconnect, and `onLoss` handlers run then, because whatever was announced
 * while the link was down is gone (pub/sub keeps nothing).
 */
export function createRedisBroker(options: RedisBrokerOptions): Broker {
  const prefix = options.prefix ?? 'binge:';
  const logger = options.logger ?? createLogger({ level: 'warn', name: 'redis broker' });
  const announcePrefix = `${prefix}rt:`;
  const publisher = openRedisConnection({ url: options.url, logger }, 'redis broker');
  const history = createRedisHistory({
    capacity: options.capacity,
    ttlSeconds: options.ttlSeconds,
    ...(options.idempotencyTtlSeconds === undefined
      ? {}
      : { idempotencyTtlSeconds: options.idempotencyTtlSeconds }),
    client: publisher.redis,
    prefix: `${prefix}history:`,
    announcePrefix,
    logger,
  });
  const subscriber = new Redis(options.url, { lazyConnect: false });
  subscriber.on('error', (error: unknown) =>
    logger.warn({ err: error }, 'redis broker subscriber error'),
  );
  const followers = new Map<string, AnnouncementHandler>();
  const lossHandlers: (() => void)[] = [];
  let wasReady = false;
  let lostSinceReady = false;
  let closed = false;

  subscriber.on('ready', () => {
    if (wasReady && lostSinceReady) {
      lostSinceReady = false;
      for (const handler of lossHandlers) {
        try {
          handler();
        } catch (error) {
          logger.error({ err: error }, 'broker loss handler failed');
        }
      }
    }
    wasReady = true;
  });
  subscriber.on('close', () => {
    if (wasReady) lostSinceReady = true;
  });
  subscriber.on('messageBuffer', (topic: Buffer, message: Buffer) => {
    const name = topic.toString('utf8');
    if (!name.startsWith(announcePrefix)) return;
    const channel = name.slice(announcePrefix.length);
    const handler = followers.get(channel);
    if (handler === undefined) return;
    const announcement = parseAnnouncement(channel, message);
    if (announcement === null) {
      logger.warn({ channel }, 'malformed announcement ignored');
      return;
    }
    try {
      handler(announcement);
    } catch (error) {
      logger.error({ err: error, channel }, 'broker follower failed');
    }
  });

  return {
    kind: 'redis',
    history,

    publish(channel, data, publishOptions) {
      if (closed) return Promise.reject(new Error('broker is closed'));
      return history.append(channel, data, publishOptions);
    },

    async announce(channel, data) {
      if (closed) throw new Error('broker is closed');
      const message = Buffer.allocUnsafe(data.byteLength + 1);
      message[0] = EPHEMERAL;
      message.set(data, 1);
      await publisher.redis.publish(announcePrefix + channel, message);
    },

    async follow(channel, handler) {
      const known = followers.has(channel);
      followers.set(channel, handler);
      if (!known) await subscriber.subscribe(announcePrefix + channel);
    },

    async unfollow(channel) {
      if (!followers.delete(channel)) return;
      await subscriber.unsubscribe(announcePrefix + channel);
    },

    onLoss(handler) {
      lossHandlers.push(handler);
    },

    async close() {
      if (closed) return;
      closed = true;
      followers.clear();
      await history.close();
      await publisher.close();
      if (subscriber.status === 'ready') {
        try {
          await subscriber.quit();
          return;
        } catch {
          // fall through
        }
      }
      subscriber.disconnect();
    },
  };
}
