import type { PlaybackInfo, SeriesDetail } from '@binge/core/protocol/catalog';
import type { FeedPagePayload } from '@binge/core/protocol/realtime/payloads';
import type { RealtimeClient } from '@binge/core/protocol/realtime-client/client';
import { ApiProblem } from '$lib/api/api-problem.ts';
import { session } from '$lib/session/session.svelte.ts';

/** What the feed knows of an entry's episode: playable, locked behind the paywall, or failed. */
export type EntryState =
  | { kind: 'ready'; playback: PlaybackInfo }
  | { kind: 'locked'; code: string; title: string; priceCoins: number | null }
  | { kind: 'failed'; code: string; title: string };

/**
 * A page of the feed: over the gateway's `feed` frame when connected (the protocol's channel for
 * it), else over HTTP `GET /api/v1/feed`, which answers the same pages and cursors.
 */
export async function fetchFeedPage(
  client: RealtimeClient | null,
  cursor: string | undefined,
): Promise<FeedPagePayload> {
  if (client && client.state === 'open') {
    try {
      return await client.feed(cursor, 10);
    } catch {
      // Fall through to HTTP: a timed-out or refused frame should not leave the viewer stuck.
    }
  }
  const query = new URLSearchParams({ limit: '10' });
  if (cursor) query.set('cursor', cursor);
  const page = await session.api<{
    items: Array<{ episodeId: number; seriesId: number; impression: string }>;
    next: string;
  }>(`/feed?${query}`);
  return {
    items: page.items.map((item) => ({
      eid: item.episodeId,
      sid: item.seriesId,
      imp: item.impression,
    })),
    next: page.next,
  };
}

export async function fetchEntryState(episodeId: number): Promise<EntryState> {
  try {
    const playback = await session.api<PlaybackInfo>(`/episodes/${episodeId}/playback`);
    return { kind: 'ready', playback };
  } catch (error) {
    if (!(error instanceof ApiProblem)) throw error;
    const { code, title } = error.problem;
    if (error.status === 402) {
      const price = error.problem.priceCoins;
      return { kind: 'locked', code, title, priceCoins: typeof price === 'number' ? price : null };
    }
    return { kind: 'failed', code, title };
  }
}

const seriesCache = new Map<number, Promise<SeriesDetail | null>>();

export function fetchSeries(seriesId: number): Promise<SeriesDetail | null> {
  let cached = seriesCache.get(seriesId);
  if (!cached) {
    cached = session.api<SeriesDetail>(`/series/${seriesId}`).catch(() => null);
    seriesCache.set(seriesId, cached);
  }
  return cached;
}
