import { Redis } from 'ioredis';
import { createLogger, type Logger } from '../log/logger.ts';
import type { Bus, BusHandler } from './bus.ts';
import { deliver } from './bus-delivery.ts';
import { decodeBusMessage, encodeBusMessage, validateTopic } from './bus-message.ts';

export interface RedisBusOptions {
  url: string;
  /** Prepended to every channel name so several deployments can share one Redis. */
  prefix?: string;
  logger?: Logger;
}

/**
 * The bus over Redis pub/sub. A connection in subscriber mode can issue nothing but (un)subscribe
 * commands (https://redis.io/docs/latest/develop/interact/pubsub/), hence one connection to
 * publish and one to listen. ioredis re-subscribes on reconnect (autoResubscribe).
 */
export function createRedisBus(options: RedisBusOptions): Bus {
  const prefix = options.prefix ?? 'binge:bus:';
  const logger = options.logger ?? createLogger({ level: 'warn', name: 'bus-redis' });
  const publisher = new Redis(options.url, { lazyConnect: false });
  const subscriber = new Redis(options.url, { lazyConnect: false });
  for (const [role, connection] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    // Without a listener ioredis reports connection errors as unhandled; they are retried anyway.
    connection.on('error', (error: unknown) =>
      logger.warn({ err: error, role }, 'redis bus connection error'),
    );
  }

  const handlers = new Map<string, Set<BusHandler>>();
  /** Per-topic chain, so a subscribe racing an unsubscribe of the same channel stays ordered. */
  const pending = new Map<string, Promise<unknown>>();
  let closed = false;

  function serialise<R>(topic: string, step: () => Promise<R>): Promise<R> {
    const previous = pending.get(topic) ?? Promise.resolve();
    const next = previous.then(step, step);
    const settled = next.catch(() => undefined);
    pending.set(topic, settled);
    void settled.then(() => {
      if (pending.get(topic) === settled) pending.delete(topic);
    });
    return next;
  }

  subscriber.on('message', (channel: string, raw: string) => {
    if (!channel.startsWith(prefix)) return;
    const topic = channel.slice(prefix.length);
    const set = handlers.get(topic);
    if (!set || set.size === 0) return;
    let first: unknown;
    try {
      first = decodeBusMessage(raw);
    } catch (error) {
      // Anyone with access to Redis can publish here: a bad payload is dropped, never thrown.
      logger.warn({ err: error, topic, bytes: raw.length }, 'ignored a malformed bus message');
      return;
    }
    [...set].forEach((handler, index) => {
      // Each subscriber owns its copy, as with the memory bus.
      deliver(handler, index === 0 ? first : decodeBusMessage(raw), topic, logger);
    });
  });

  return {
    kind: 'redis',

    async publish(topic: string, message: unknown): Promise<void> {
      validateTopic(topic);
      const encoded = encodeBusMessage(topic, message);
      await publisher.publish(prefix + topic, encoded);
    },

    async subscribe<T = unknown>(
      topic: string,
      handler: BusHandler<T>,
    ): Promise<() => Promise<void>> {
      validateTopic(topic);
      const entry: BusHandler = (message, t) => handler(message as T, t);
      await serialise(topic, async () => {
        let set = handlers.get(topic);
        if (!set) handlers.set(topic, (set = new Set()));
        const first = set.size === 0;
        set.add(entry);
        if (!first) return;
        try {
          // Resolves on Redis's subscribe confirmation.
          await subscriber.subscribe(prefix + topic);
        } catch (error) {
          set.delete(entry);
          if (set.size === 0) handlers.delete(topic);
          throw error;
        }
      });
      let active = true;
      return async () => {
        if (!active) return;
        active = false;
        await serialise(topic, async () => {
          const set = handlers.get(topic);
          if (!set) return;
          set.delete(entry);
          if (set.size > 0) return;
          handlers.delete(topic);
          if (!closed) await subscriber.unsubscribe(prefix + topic);
        });
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      handlers.clear();
      await Promise.all(
        [publisher, subscriber].map(async (connection) => {
          // quit() waits for pending replies; a connection that never came up is just dropped.
          if (connection.status === 'ready') {
            try {
              await connection.quit();
              return;
            } catch {
              // fall through to disconnect
            }
          }
          connection.disconnect();
        }),
      );
    },
  };
}
