/**
 * Share of the duration from which an episode counts as finished: the server's watch-time
 * accounting (core/src/progression/watch-time.ts) and the clients' "watched" marks use this one
 * line.
 */
export const completionShare = 0.9;
