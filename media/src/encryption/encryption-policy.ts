import type { Config } from '@binge/core/config';

/** MEDIA_ENCRYPTION: `all` encrypts every episode, `paid` only those behind the paywall. */
export function shouldEncrypt(
  mode: Config['mediaEncryption'],
  episode: { isFree: boolean },
): boolean {
  return mode === 'all' || (mode === 'paid' && !episode.isFree);
}
