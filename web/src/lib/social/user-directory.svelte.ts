import { SvelteMap } from 'svelte/reactivity';
import type { PublicProfile } from '@binge/core/protocol/progression/responses';
import { socialApi } from './social-api.ts';

/**
 * Public profiles of the people on screen (DM partners, followers, chat authors), fetched once
 * per page and shared: follow lists and DMs carry only user ids. A profile that failed to load is
 * not asked for again on every render; `forget` lets the next render ask again.
 *
 * `profileOf` is called from deriveds, which may not write state: the request is noted in a plain
 * set and the map is written when the answer comes.
 */
const profiles = new SvelteMap<number, PublicProfile>();
// Written from deriveds, so it must not be reactive.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const requested = new Set<number>();

export function profileOf(userId: number): PublicProfile | null {
  const known = profiles.get(userId);
  if (known) return known;
  // Server rendering has no session to ask with: the browser fills names in.
  if (typeof window === 'undefined' || requested.has(userId)) return null;
  requested.add(userId);
  socialApi.user(userId).then(
    (profile) => profiles.set(userId, profile),
    () => undefined,
  );
  return null;
}

/** A profile read elsewhere (the profile page), so lists show the same name. */
export function rememberProfile(profile: PublicProfile): void {
  requested.add(profile.id);
  profiles.set(profile.id, profile);
}

export function forget(userId: number): void {
  requested.delete(userId);
}
