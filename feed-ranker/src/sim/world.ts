import type { SimCatalog } from './catalog.ts';
import { below, gamma, normal, stream, STREAM, type Random } from './random-streams.ts';

/**
 * The hidden side of the simulation: what each viewer likes and how good each video is. No policy
 * and no feature ever reads this; they see only the logged history (observations.ts).
 */
export interface Viewer {
  id: number;
  /** Preference over the catalog's tags (a probability vector, mostly zeros). */
  taste: Float64Array;
  /** The largest entry of taste, so a viewer's favourite tag matches 1 whatever their spread. */
  tasteMax: number;
  /** How much an item outside their taste still interests them (0..1). */
  openness: number;
  /** Preferred duration: the centre (ln seconds) and width (ln) of a log-normal bump. */
  durationCentre: number;
  durationWidth: number;
  /** Patience a session starts with (in skips, roughly). */
  patience: number;
  /** Chance of a like after a long watch of an item they are fully into. */
  likePropensity: number;
}

export interface World {
  catalog: SimCatalog;
  /** Hidden per-item quality, standard normal: how much everyone enjoys it beyond taste. */
  quality: Float64Array;
  viewers: Viewer[];
}

/**
 * Total concentration of the taste Dirichlet. Its parameters are this times each tag's share of
 * the catalog, so popular tags are liked more often and most viewers care about one to three tags.
 */
export const TASTE_CONCENTRATION = 1.2;

export function drawViewer(catalog: SimCatalog, id: number, random: Random): Viewer {
  const tags = catalog.tagNames.length;
  const total = catalog.tagCount.reduce((a, b) => a + b, 0);
  const taste = new Float64Array(tags);
  let sum = 0;
  for (let t = 0; t < tags; t += 1) {
    const alpha = (TASTE_CONCENTRATION * catalog.tagCount[t]!) / Math.max(1, total);
    taste[t] = alpha > 0 ? gamma(random, alpha) : 0;
    sum += taste[t]!;
  }
  if (!(sum > 0) && tags > 0) {
    // Every draw underflowed: fall back to one tag picked by frequency.
    let pick = random() * total;
    let t = 0;
    while (t < tags - 1 && pick >= catalog.tagCount[t]!) pick -= catalog.tagCount[t++]!;
    taste[t] = 1;
    sum = 1;
  }
  let tasteMax = 0;
  for (let t = 0; t < tags; t += 1) {
    taste[t]! /= sum || 1;
    tasteMax = Math.max(tasteMax, taste[t]!);
  }
  // The preferred duration is centred on a real item's duration, so it follows the catalog.
  const centreItem = below(random, catalog.size);
  return {
    id,
    taste,
    tasteMax,
    openness: 0.05 + 0.25 * random(),
    durationCentre: Math.log(catalog.durationS[centreItem]!) + 0.3 * normal(random),
    durationWidth: 0.6 + 0.8 * random(),
    patience: 2 + 3 * random(),
    likePropensity: 0.05 + 0.25 * random(),
  };
}

export function drawWorld(catalog: SimCatalog, viewers: number, seed: number): World {
  const qualityRandom = stream(seed, STREAM.world);
  const quality = new Float64Array(catalog.size);
  for (let i = 0; i < catalog.size; i += 1) quality[i] = normal(qualityRandom);
  return {
    catalog,
    quality,
    viewers: Array.from({ length: viewers }, (_, id) =>
      drawViewer(catalog, id, stream(seed, STREAM.viewer, id)),
    ),
  };
}

/** How well an item's tags match a viewer's taste, 0..1 (1: their favourite tag). */
export function tasteMatch(viewer: Viewer, tags: Int32Array): number {
  if (viewer.tasteMax <= 0) return 0;
  let sum = 0;
  for (const t of tags) sum += viewer.taste[t] ?? 0;
  return Math.min(1, sum / viewer.tasteMax);
}
