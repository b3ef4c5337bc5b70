import type { Impression, Observations } from './observations.ts';
import type { Random } from './random-streams.ts';

/**
 * What every feed policy of the simulation sees when it is asked for a page: the viewer, what
 * they did so far in this session, the logged history of earlier sessions (its own copy, kept
 * fresh as its sessions run), and the items this viewer was already shown, which it must not
 * show again.
 */
export interface PageRequest {
  viewer: number;
  /** This session's impressions so far, in order. */
  session: readonly Impression[];
  observations: Observations;
  shown: ReadonlySet<number>;
  size: number;
  /** The policy's own stream for this (viewer, session). */
  random: Random;
}

export interface Policy {
  readonly name: string;
  /** Up to request.size distinct items, none of them in request.shown. */
  page(request: PageRequest): number[];
}
