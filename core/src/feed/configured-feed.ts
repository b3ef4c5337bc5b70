import type { Config } from '../config/config.ts';
import type { Logger } from '../log/logger.ts';
import type { RealtimeStore } from '../realtime-state/store.ts';
import { createFeedClient } from './feed-client.ts';
import { createFeedCursorCodec } from './feed-cursor.ts';
import { createHotFeed } from './feed-fallback.ts';
import type { FeedService } from './feed-service.ts';

/**
 * The feed of a process that was handed no ranker (a standalone API or gateway): the ranker's
 * HTTP client when RANKER_URL is set, falling back to the hot order when it does not answer;
 * the hot order alone otherwise. The embedded platform passes its in-process ranker instead.
 */
export function feedFromConfig(options: {
  config: Pick<Config, 'authSecret' | 'rankerUrl'>;
  store: Pick<RealtimeStore, 'feedPage'>;
  logger?: Logger;
}): FeedService {
  const { config, store, logger } = options;
  const hot = createHotFeed({ store, cursors: createFeedCursorCodec(config.authSecret) });
  if (config.rankerUrl === undefined) return hot;
  return createFeedClient({
    url: config.rankerUrl,
    authSecret: config.authSecret,
    fallback: hot,
    ...(logger ? { logger } : {}),
  });
}
