import type { CandidateSource } from '@binge/core/feed/feed-service';
import { completionShare } from '@binge/core/progression/watch-time';
import { beta } from '../stats/draws.ts';

/**
 * Re-ranking: turns scored candidates into one feed page (issue 5, "Re-ranking"). Pure: the
 * feed ranker (feed-ranker.ts) brings the scores, contexts and exposure counts from the database
 * and the random source, so every rule here is tested on plain values.
 *
 * Rules, in the order they bind:
 * 1. already watched (watchedRatio ≥ core's completionShare, 0.9) and already served in this feed session
 *    (`exclude`) are dropped;
 * 2. the paywall policy admits or refuses each entry given the page so far (the paywall issue's
 *    paid/free mix hook; the default admits all);
 * 3. no two adjacent entries of one series, unless the viewer is binging it (context.binging);
 * 4. at most ceil(limit / 3) entries of one category per page;
 * 5. `explorePercent` of the page (at least one slot when it is above 0 and the page has 5 or
 *    more entries) goes to exploration: Thompson sampling over Beta(starts + 1, impressions −
 *    starts + 1) of the under-exposed candidates, so an item the model knows little about gets
 *    shown in proportion to the chance that it is better than it looks.
 *
 * When rules 3 and 4 leave no candidate for a position, the category cap is relaxed first, then
 * the series rule: a small catalog still fills its page. The paywall policy is never relaxed.
 */

/** What the re-ranker needs to know of a candidate beyond its score (vector.ts fills it). */
export interface RerankContext {
  /** The series' category; null when the series has none (then no category cap applies). */
  categoryId: number | null;
  isFree: boolean;
  /** The viewer is watching this series episode after episode: runs of it are wanted. */
  binging: boolean;
  /** The viewer's furthest position in this episode over its duration (0..1). */
  watchedRatio: number;
}

export interface RerankCandidate {
  episodeId: number;
  seriesId: number;
  source: CandidateSource;
  /** Higher is better: the model's expected watch time, or the heuristic score. */
  score: number;
  context: RerankContext;
  /** Times the episode was shown (item_features.impressions) and started from a feed. */
  impressions: number;
  starts: number;
  /** The candidate's row in the feature matrix, so its vector can be logged with it. */
  row: number;
}

export interface RankedEntry<C extends RerankCandidate = RerankCandidate> {
  candidate: C;
  /** Filled an exploration slot rather than being the best candidate left. */
  explore: boolean;
}

/** The paywall issue's hook: decides the paid/free mix of a page as it is built. */
export interface PaywallPolicy {
  admit(entry: RerankCandidate, pageSoFar: readonly RankedEntry[]): boolean;
}

export const admitAll: PaywallPolicy = { admit: () => true };

export interface RerankOptions<C extends RerankCandidate = RerankCandidate> {
  limit: number;
  /** Share of the page given to exploration slots, in percent (RANKER_EXPLORE_PERCENT). */
  explorePercent: number;
  /** Uniform in [0, 1): injected, so tests and benchmarks repeat. */
  random: () => number;
  /** Episodes served earlier in this feed session. */
  exclude?: ReadonlySet<number>;
  paywall?: PaywallPolicy;
  /** Entries already placed (a continuation fills the rest of a page): rules 3 and 4 count them. */
  prefix?: readonly RankedEntry<C>[];
  /** Keep the candidates' given order instead of sorting by score (recycling old entries). */
  keepOrder?: boolean;
  /** Drop candidates watched to at least this ratio; Infinity keeps them all. */
  watchedRatio?: number;
  /** Below this many impressions a candidate is under-exposed: eligible for exploration. */
  underExposedImpressions?: number;
}

export const UNDER_EXPOSED_IMPRESSIONS = 200;
const PAGES_WITH_EXPLORATION = 5;

/** Exploration slots of a page of `limit` entries. */
export function exploreSlots(limit: number, explorePercent: number): number {
  if (explorePercent <= 0 || limit <= 0) return 0;
  const slots = Math.round((limit * explorePercent) / 100);
  return Math.min(limit, limit >= PAGES_WITH_EXPLORATION ? Math.max(1, slots) : slots);
}

/** The most entries of one category on a page. */
export function categoryCap(limit: number): number {
  return Math.max(1, Math.ceil(limit / 3));
}

/** Positions of the exploration slots: spread over the page, never the first entry. */
function slotPositions(limit: number, slots: number): Set<number> {
  const positions = new Set<number>();
  for (let i = 1; i <= slots; i += 1) {
    const at = Math.min(limit - 1, Math.max(1, Math.round((i * limit) / (slots + 1))));
    positions.add(at);
  }
  // Rounding can land two slots on one position when the page is nearly all exploration.
  for (let at = limit - 1; positions.size < slots && at >= 0; at -= 1) positions.add(at);
  return positions;
}

export function rerank<C extends RerankCandidate>(
  candidates: readonly C[],
  options: RerankOptions<C>,
): RankedEntry<C>[] {
  const { limit, random } = options;
  const paywall = options.paywall ?? admitAll;
  const watched = options.watchedRatio ?? completionShare;
  const exclude = options.exclude ?? new Set<number>();
  const prefix = options.prefix ?? [];
  const page: RankedEntry<C>[] = [...prefix];
  const placed = new Set(prefix.map((entry) => entry.candidate.episodeId));
  const target = prefix.length + limit;
  const cap = categoryCap(target);

  // One entry per episode (several sources may propose it): the best-scored one.
  const byEpisode = new Map<number, C>();
  for (const candidate of candidates) {
    if (exclude.has(candidate.episodeId) || placed.has(candidate.episodeId)) continue;
    if (!(candidate.context.watchedRatio < watched)) continue;
    const seen = byEpisode.get(candidate.episodeId);
    if (seen === undefined || candidate.score > seen.score)
      byEpisode.set(candidate.episodeId, candidate);
  }
  const pool = [...byEpisode.values()];
  if (!options.keepOrder) pool.sort((a, b) => b.score - a.score || a.episodeId - b.episodeId);

  // Thompson sampling: one draw per under-exposed candidate, best draws first.
  const threshold = options.underExposedImpressions ?? UNDER_EXPOSED_IMPRESSIONS;
  const slots = exploreSlots(limit, options.explorePercent);
  const explorers =
    slots === 0
      ? []
      : pool
          .filter((c) => c.impressions < threshold)
          .map((c) => {
            const impressions = Math.max(0, c.impressions);
            const starts = Math.min(Math.max(0, c.starts), impressions);
            return { c, draw: beta(random, starts + 1, impressions - starts + 1) };
          })
          .sort((a, b) => b.draw - a.draw || a.c.episodeId - b.c.episodeId)
          .map((entry) => entry.c);
  const explorePositions = slotPositions(limit, slots);

  const categories = new Map<number, number>();
  for (const entry of prefix) {
    const category = entry.candidate.context.categoryId;
    if (category !== null) categories.set(category, (categories.get(category) ?? 0) + 1);
  }

  /** The first candidate of `list` that the rules allow at the next position, at `strictness`. */
  function pick(list: C[], strictness: number): C | undefined {
    const previous = page.at(-1)?.candidate;
    return list.find((c) => {
      if (placed.has(c.episodeId)) return false;
      if (
        strictness >= 1 &&
        previous !== undefined &&
        previous.seriesId === c.seriesId &&
        !c.context.binging
      )
        return false;
      const category = c.context.categoryId;
      if (strictness >= 2 && category !== null && (categories.get(category) ?? 0) >= cap)
        return false;
      return paywall.admit(c, page);
    });
  }

  for (let position = 0; page.length < target; position += 1) {
    const exploring = explorePositions.has(position);
    let chosen: C | undefined;
    let explored = false;
    for (let strictness = 2; strictness >= 0 && chosen === undefined; strictness -= 1) {
      if (exploring) {
        chosen = pick(explorers, strictness);
        explored = chosen !== undefined;
      }
      chosen ??= pick(pool, strictness);
    }
    if (chosen === undefined) break;
    placed.add(chosen.episodeId);
    const category = chosen.context.categoryId;
    if (category !== null) categories.set(category, (categories.get(category) ?? 0) + 1);
    page.push({ candidate: chosen, explore: explored });
  }
  return page.slice(prefix.length);
}
