import { SvelteSet } from 'svelte/reactivity';
import { session } from '$lib/session/session.svelte.ts';

/**
 * The viewer's likes and follow-ups as this tab knows them, shared by every card of the feed so a
 * series followed up on one card shows as followed on the next. Loaded once per page from the
 * API's LWW sets (newest first, the most recent 100 of each).
 */
export const likedEpisodes = new SvelteSet<number>();
export const followedUpSeries = new SvelteSet<number>();

let loaded: Promise<void> | null = null;

interface EdgePage {
  items: Array<{ targetId: number }>;
}

export function loadEngagement(): Promise<void> {
  loaded ??= (async () => {
    const [likes, followUps] = await Promise.all([
      session.api<EdgePage>('/me/like?targetType=episode&limit=100').catch(() => ({ items: [] })),
      session
        .api<EdgePage>('/me/follow_up?targetType=series&limit=100')
        .catch(() => ({ items: [] })),
    ]);
    for (const item of likes.items) likedEpisodes.add(item.targetId);
    for (const item of followUps.items) followedUpSeries.add(item.targetId);
  })();
  return loaded;
}
