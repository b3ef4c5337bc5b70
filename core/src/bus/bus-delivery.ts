import type { Logger } from '../log/logger.ts';
import type { BusHandler } from './bus.ts';

/**
 * Calls one subscriber. A handler that throws, or an async one that rejects, is logged and never
 * reaches the publisher or the other subscribers of the topic.
 */
export function deliver(
  handler: BusHandler,
  message: unknown,
  topic: string,
  logger: Logger,
): void {
  try {
    const result: unknown = handler(message, topic);
    if (result instanceof Promise) {
      result.catch((error: unknown) => logger.error({ err: error, topic }, 'bus handler rejected'));
    }
  } catch (error) {
    logger.error({ err: error, topic }, 'bus handler threw');
  }
}
