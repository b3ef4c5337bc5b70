import type { PlaybackInfo } from '@binge/core/protocol/catalog';
import { shouldPrecache } from './connection-policy.ts';
import { offlineSupported, precacheNext, type PrecacheNextOutcome } from './offline-client.ts';
import { loadOfflineSettings } from './offline-settings.ts';

/**
 * Series mode's use of precacheNext: the episode after this one, once the network allows it.
 * Its signed master URL comes from its own playback info, fetched only when saving is allowed, and
 * a locked or unfinished episode (the API refuses its playback) is skipped.
 */
export async function precacheFollowing(
  next: PlaybackInfo['next'],
  playback: (episodeId: number) => Promise<PlaybackInfo>,
): Promise<PrecacheNextOutcome | null> {
  if (next === null || !offlineSupported()) return null;
  const connection = (
    navigator as Navigator & { connection?: Parameters<typeof shouldPrecache>[0] }
  ).connection;
  if (!shouldPrecache(connection, loadOfflineSettings(localStorage))) return null;
  let info: PlaybackInfo;
  try {
    info = await playback(next.episodeId);
  } catch {
    return null;
  }
  return precacheNext([{ episodeId: info.episodeId, masterUrl: info.masterUrl }]);
}
