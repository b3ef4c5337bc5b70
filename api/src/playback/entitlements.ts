/**
 * Who may watch what. The paywall plugs its implementation in through build(); until then, and
 * for anonymous viewers, free episodes play and paid ones are locked.
 */
export interface Viewer {
  userId: number | null;
}

export interface EntitlementEpisode {
  id: number;
  seriesId: number;
  number: number;
  isFree: boolean;
  priceCoins: number;
}

export interface Entitlements {
  canWatch(viewer: Viewer, episode: EntitlementEpisode): Promise<boolean>;
}

export const freeEpisodesOnly: Entitlements = {
  canWatch: async (_viewer, episode) => episode.isFree,
};
