import { createLogger, type Logger } from '../log/logger.ts';
import type { Bus, BusHandler } from './bus.ts';
import { deliver } from './bus-delivery.ts';
import { decodeBusMessage, encodeBusMessage, validateTopic } from './bus-message.ts';

export interface MemoryBusOptions {
  /** Where handler exceptions are reported; a warn-level logger by default. */
  logger?: Logger;
}

/**
 * The in-process bus of the embedded path. Each subscriber receives its own JSON round-tripped
 * copy, as over Redis, so no subscriber can mutate the publisher's object or another's copy.
 */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const logger = options.logger ?? createLogger({ level: 'warn', name: 'bus-memory' });
  const handlers = new Map<string, Set<BusHandler>>();
  let closed = false;

  return {
    kind: 'memory',

    async publish(topic: string, message: unknown): Promise<void> {
      validateTopic(topic);
      const encoded = encodeBusMessage(topic, message);
      if (closed) return;
      // Snapshot: only subscribers present at publish time receive it (see Bus).
      for (const handler of [...(handlers.get(topic) ?? [])]) {
        deliver(handler, decodeBusMessage(encoded), topic, logger);
      }
    },

    async subscribe<T = unknown>(
      topic: string,
      handler: BusHandler<T>,
    ): Promise<() => Promise<void>> {
      validateTopic(topic);
      // Wrap so that subscribing the same function twice yields two independent subscriptions.
      const entry: BusHandler = (message, t) => handler(message as T, t);
      let set = handlers.get(topic);
      if (!set) handlers.set(topic, (set = new Set()));
      set.add(entry);
      return async () => {
        const current = handlers.get(topic);
        if (!current) return;
        current.delete(entry);
        if (current.size === 0) handlers.delete(topic);
      };
    },

    async close(): Promise<void> {
      closed = true;
      handlers.clear();
    },
  };
}
