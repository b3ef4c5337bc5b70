import type { DanmuWindow } from '@binge/core/protocol/catalog';
import type { RealtimeClient } from '@binge/core/protocol/realtime-client/client';
import { fromPublication, fromWindowItem, type DanmuComment } from './danmu-comment.ts';
import { chunksAround, chunkWindow, type ChunkPlan } from './history-chunks.ts';

/**
 * Danmu history by video-time window: over the gateway (`history` frame) when there is a realtime
 * client, else over HTTP (`GET /api/v1/episodes/{id}/danmu`). Both page the same way: a full page
 * says `more`, and the next one starts at the last entry's position after its message id.
 */
export interface HistoryPage {
  comments: DanmuComment[];
  more: boolean;
  /** Where the next page starts, when `more`. */
  next: { from: number; after: string } | null;
}

export type FetchHistoryPage = (from: number, to: number, after?: string) => Promise<HistoryPage>;

/** Page size asked for: half the protocol's 1000, so a dense minute still comes in two pages. */
export const historyPageSize = 500;

function page(
  comments: Array<DanmuComment | null>,
  more: boolean,
  last: { pos: number; mid: string } | null,
): HistoryPage {
  return {
    comments: comments.filter((comment): comment is DanmuComment => comment !== null),
    more,
    next: more && last ? { from: last.pos, after: last.mid } : null,
  };
}

export function gatewayHistory(client: RealtimeClient, episodeId: number): FetchHistoryPage {
  return async (from, to, after) => {
    const result = await client.history(`danmu:${episodeId}`, from, to, historyPageSize, after);
    const comments = result.pubs.map((pub) => fromPublication(pub.d));
    const last = comments.findLast((comment) => comment !== null) ?? null;
    return page(comments, result.more, last ? { pos: last.posMs, mid: last.mid! } : null);
  };
}

/** An HTTP failure, with the problem code the API answered (or NETWORK_ERROR). */
export class HistoryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HistoryError';
  }
}

export function httpHistory(fetchFn: typeof fetch, episodeId: number): FetchHistoryPage {
  return async (from, to, after) => {
    const query = new URLSearchParams({
      from: String(from),
      to: String(to),
      limit: String(historyPageSize),
    });
    if (after !== undefined) query.set('after', after);
    let response: Response;
    try {
      response = await fetchFn(`/api/v1/episodes/${episodeId}/danmu?${query}`, {
        headers: { accept: 'application/json' },
      });
    } catch (error) {
      throw new HistoryError(
        'NETWORK_ERROR',
        error instanceof Error ? error.message : String(error),
      );
    }
    if (!response.ok) {
      let code = `HTTP_${response.status}`;
      try {
        const problem = (await response.json()) as { code?: unknown };
        if (typeof problem.code === 'string') code = problem.code;
      } catch {
        // Not problem+json: the status is all there is.
      }
      throw new HistoryError(code, `danmu history answered ${response.status}`);
    }
    const body = (await response.json()) as DanmuWindow;
    const items = Array.isArray(body.items) ? body.items : [];
    const comments = items.map((item) => fromWindowItem(item));
    const last = comments.findLast((comment) => comment !== null) ?? null;
    return page(comments, body.more === true, last ? { pos: last.posMs, mid: last.mid! } : null);
  };
}

export interface HistoryLoaderOptions {
  fetchPage: FetchHistoryPage;
  plan: ChunkPlan;
  onComments: (comments: DanmuComment[]) => void;
  onError: (error: unknown) => void;
  now?: () => number;
  /** Pages read per chunk at most: a flooded minute does not stall the ones after it. */
  maxPages?: number;
  /** Wait before asking again for a chunk that failed. */
  retryMs?: number;
}

export interface HistoryLoader {
  /** Loads the chunks needed at `tMs` that are not loaded or loading. */
  ensure(tMs: number, durationMs?: number): void;
  /** Forgets what was loaded (the channel said refetch); the next ensure loads again. */
  reset(): void;
  /** Chunks loaded, for diagnostics. */
  loaded(): number[];
  /** Stops delivering results of requests still in flight. */
  close(): void;
}

export function createHistoryLoader(options: HistoryLoaderOptions): HistoryLoader {
  const { fetchPage, plan, onComments, onError } = options;
  const now = options.now ?? Date.now;
  const maxPages = options.maxPages ?? 10;
  const retryMs = options.retryMs ?? 5000;
  const loaded = new Set<number>();
  const loading = new Set<number>();
  const failedAt = new Map<number, number>();
  let generation = 0;
  let closed = false;

  async function load(index: number, gen: number): Promise<void> {
    const window = chunkWindow(index, plan);
    let from = window.from;
    let after: string | undefined;
    for (let pages = 0; pages < maxPages; pages += 1) {
      const result = await fetchPage(from, window.to, after);
      if (closed || gen !== generation) return;
      if (result.comments.length > 0) onComments(result.comments);
      if (!result.more || !result.next) break;
      from = result.next.from;
      after = result.next.after;
    }
  }

  return {
    ensure(tMs, durationMs) {
      if (closed) return;
      for (const index of chunksAround(tMs, plan, durationMs)) {
        if (loaded.has(index) || loading.has(index)) continue;
        const failed = failedAt.get(index);
        if (failed !== undefined && now() - failed < retryMs) continue;
        loading.add(index);
        const gen = generation;
        load(index, gen).then(
          () => {
            if (gen !== generation) return;
            loading.delete(index);
            loaded.add(index);
            failedAt.delete(index);
          },
          (error: unknown) => {
            if (gen !== generation) return;
            loading.delete(index);
            failedAt.set(index, now());
            if (!closed) onError(error);
          },
        );
      }
    },
    reset() {
      generation += 1;
      loaded.clear();
      loading.clear();
      failedAt.clear();
    },
    loaded: () => [...loaded].sort((a, b) => a - b),
    close() {
      closed = true;
    },
  };
}
