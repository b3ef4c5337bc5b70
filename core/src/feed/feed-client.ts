import { Value } from '@sinclair/typebox/value';
import type { Logger } from '../log/logger.ts';
import { FEED_PAGE_PATH, FeedPageResponse, rankerKey, type FeedPageRequest } from './feed-wire.ts';
import { FeedCursorError, type FeedPage, type FeedService } from './feed-service.ts';

export interface FeedClientOptions {
  /** Base URL of the feed-ranker process (RANKER_URL). */
  url: string;
  /** AUTH_SECRET: the ranker's key is derived from it (feed-wire.ts). */
  authSecret: string;
  /**
   * Serves the page when the ranker does not answer in time, answers 5xx or nonsense (the hot
   * order, feed-fallback.ts): the feed always answers. Without it those failures reject.
   */
  fallback?: FeedService;
  logger?: Logger;
  /** How long a page may take before the fallback serves it; 2 s unless set. */
  timeoutMs?: number;
}

/** The ranker answered but not with a page. */
export class RankerResponseError extends Error {
  override readonly name = 'RankerResponseError';
}

/**
 * The FeedService of a split deployment: pages come from feed-ranker/src/server.ts over HTTP.
 * A cursor the ranker refuses is a FeedCursorError here too, so callers answer INVALID_CURSOR
 * whichever side ranks.
 */
export function createFeedClient(options: FeedClientOptions): FeedService {
  const endpoint = new URL(FEED_PAGE_PATH, options.url).toString();
  const authorization = `Bearer ${rankerKey(options.authSecret)}`;
  const timeoutMs = options.timeoutMs ?? 2000;

  async function fetchPage(body: FeedPageRequest): Promise<FeedPage> {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RankerResponseError(
        `ranker answered ${response.status} with a body that is not JSON`,
      );
    }
    if (response.status === 400 && (parsed as { code?: unknown })?.code === 'INVALID_CURSOR') {
      const message = (parsed as { message?: unknown }).message;
      throw new FeedCursorError(typeof message === 'string' ? message.slice(0, 200) : undefined);
    }
    if (response.status !== 200)
      throw new RankerResponseError(`ranker answered ${response.status}: ${text.slice(0, 200)}`);
    if (!Value.Check(FeedPageResponse, parsed))
      throw new RankerResponseError('ranker answered a page that does not match the contract');
    return parsed;
  }

  return {
    async page(request) {
      const body: FeedPageRequest = {
        viewerId: request.viewerId,
        ...(request.cursor === undefined ? {} : { cursor: request.cursor }),
        limit: request.limit,
        now: request.now.getTime(),
        surface: request.surface,
      };
      try {
        return await fetchPage(body);
      } catch (error) {
        if (error instanceof FeedCursorError || options.fallback === undefined) throw error;
        options.logger?.warn({ err: error, url: endpoint }, 'ranker unavailable: hot-order feed');
        return options.fallback.page(request);
      }
    },
  };
}
