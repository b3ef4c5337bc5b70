import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { session } from '$lib/session/session.svelte.ts';
import { tapHaptic } from '$lib/shell/shell-events.ts';

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

/** Episode like counts as the API last answered them. */
export const likeCounts = new SvelteMap<number, number>();

interface Toggle {
  present: boolean;
  count: number;
}

/**
 * Likes or unlikes an episode, optimistically (the heart answers at once and the LWW set converges
 * on the server); rolls back and rethrows when the API refuses.
 */
export async function setLike(episodeId: number, want: boolean): Promise<void> {
  if (want === likedEpisodes.has(episodeId)) return;
  if (want) likedEpisodes.add(episodeId);
  else likedEpisodes.delete(episodeId);
  try {
    const result = await session.api<Toggle>(`/me/like/episode/${episodeId}`, {
      method: want ? 'PUT' : 'DELETE',
      body: JSON.stringify({}),
    });
    likeCounts.set(episodeId, result.count);
    if (want) tapHaptic();
  } catch (error) {
    if (want) likedEpisodes.delete(episodeId);
    else likedEpisodes.add(episodeId);
    throw error;
  }
}

export async function setFollowUp(seriesId: number, want: boolean): Promise<void> {
  if (want === followedUpSeries.has(seriesId)) return;
  if (want) followedUpSeries.add(seriesId);
  else followedUpSeries.delete(seriesId);
  try {
    await session.api<Toggle>(`/me/follow_up/series/${seriesId}`, {
      method: want ? 'PUT' : 'DELETE',
      body: JSON.stringify({}),
    });
  } catch (error) {
    if (want) followedUpSeries.delete(seriesId);
    else followedUpSeries.add(seriesId);
    throw error;
  }
}
