import type { FeedPagePayload } from '@binge/core/protocol/realtime/payloads';

/** One entry of the viewer's feed as the client keeps it. */
export interface FeedEntry {
  readonly episodeId: number;
  readonly seriesId: number;
  /** The impression token, sent back in the play's watch events. */
  readonly impression: string | undefined;
}

/**
 * Entries a new page is checked against. The ranker brings episodes back once a small catalog has
 * been shown whole (docs/protocol.md, "The feed"), so the feed may repeat an episode, but never
 * within this many swipes of its last showing.
 */
export const repeatWindow = 8;

/**
 * Appends a page to the entries, dropping episodes shown in the last `window` entries (a page
 * retried after a lost answer, an episode the ranker brings back too soon) or twice in it.
 */
export function appendPage(
  entries: readonly FeedEntry[],
  page: Pick<FeedPagePayload, 'items'>,
  window = repeatWindow,
): FeedEntry[] {
  const seen = new Set(entries.slice(-window).map((entry) => entry.episodeId));
  const added: FeedEntry[] = [];
  for (const item of page.items) {
    if (seen.has(item.eid)) continue;
    seen.add(item.eid);
    added.push({ episodeId: item.eid, seriesId: item.sid, impression: item.imp });
  }
  return [...entries, ...added];
}

/** Ask for the next page while this many entries are still ahead of the viewer. */
export const refillAhead = 4;

export function needsMore(entries: readonly unknown[], index: number): boolean {
  return entries.length - 1 - index < refillAhead;
}

/** The index a swipe lands on: one step, clamped to the loaded entries. */
export function step(index: number, direction: 'next' | 'prev', length: number): number {
  const target = direction === 'next' ? index + 1 : index - 1;
  return Math.min(Math.max(target, 0), Math.max(length - 1, 0));
}
