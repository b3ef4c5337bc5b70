import type { SimCatalog } from './catalog.ts';
import type { Random } from './random-streams.ts';
import { LONG_WATCH_RATIO } from './watch-model.ts';

/**
 * The logged history: what a real platform knows, built only from impressions and their outcomes
 * (seconds watched, skip, like). Policies and features read these counts, never the hidden world.
 * Updated online after every impression, as the platform's consumer keeps its feature tables fresh.
 */
export interface Impression {
  viewer: number;
  /** The session's index for this viewer (warm-up sessions first, then evaluation). */
  session: number;
  /** 0-based position in the session. */
  position: number;
  item: number;
  seconds: number;
  ratio: number;
  skipped: boolean;
  liked: boolean;
}

export function isLongWatch(impression: Impression): boolean {
  return !impression.skipped && impression.ratio >= LONG_WATCH_RATIO;
}

/** Co-watch pairs link a long watch with this many of the viewer's previous long watches. */
export const COWATCH_WINDOW = 20;
/** Neighbours are looked up from this many of the viewer's latest long watches. */
export const COWATCH_SOURCES = 10;

/** Per-(viewer, tag) counters, flattened: impressions, watch-ratio sum, skips, long watches. */
const TAG_FIELDS = 4;

export class Observations {
  readonly log: Impression[] = [];
  readonly itemImpressions: Int32Array;
  readonly itemSkips: Int32Array;
  readonly itemLong: Int32Array;
  readonly itemLikes: Int32Array;
  readonly itemRatioSum: Float64Array;
  readonly viewerImpressions: Int32Array;
  readonly viewerSkips: Int32Array;
  readonly viewerLong: Int32Array;
  readonly viewerRatioSum: Float64Array;
  /** Sum of ln(duration) over each viewer's long watches: the lengths they finish. */
  readonly viewerLongLogDuration: Float64Array;
  readonly viewerTag: Float64Array;
  readonly tags: number;
  totals = { impressions: 0, skips: 0, long: 0, likes: 0, ratioSum: 0 };
  /** Each viewer's long-watched items, oldest first. */
  private readonly longWatched: number[][];
  private readonly cowatch: (Map<number, number> | undefined)[];
  /** Items by long-watch count, most first: kept sorted in O(1) per count (see countLong). */
  private readonly order: Int32Array;
  private readonly position: Int32Array;
  /** blockStart[c] = how many items have more than c long watches = where count c begins. */
  private readonly blockStart: number[] = [];

  constructor(
    readonly catalog: SimCatalog,
    viewers: number,
    tieBreak: Random,
  ) {
    const n = catalog.size;
    this.itemImpressions = new Int32Array(n);
    this.itemSkips = new Int32Array(n);
    this.itemLong = new Int32Array(n);
    this.itemLikes = new Int32Array(n);
    this.itemRatioSum = new Float64Array(n);
    this.viewerImpressions = new Int32Array(viewers);
    this.viewerSkips = new Int32Array(viewers);
    this.viewerLong = new Int32Array(viewers);
    this.viewerRatioSum = new Float64Array(viewers);
    this.viewerLongLogDuration = new Float64Array(viewers);
    this.tags = catalog.tagNames.length;
    this.viewerTag = new Float64Array(viewers * this.tags * TAG_FIELDS);
    this.longWatched = Array.from({ length: viewers }, () => []);
    this.cowatch = new Array<Map<number, number> | undefined>(n);
    // Items nobody has watched yet tie; a seeded shuffle orders them instead of the file's order.
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i -= 1) {
      const j = Math.floor(tieBreak() * (i + 1));
      [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
    }
    this.position = new Int32Array(n);
    this.order.forEach((item, index) => (this.position[item] = index));
  }

  observe(impression: Impression): void {
    const { viewer, item } = impression;
    if (viewer < 0 || viewer >= this.viewerImpressions.length)
      throw new RangeError(`viewer ${viewer} is outside 0..${this.viewerImpressions.length - 1}`);
    if (item < 0 || item >= this.catalog.size)
      throw new RangeError(`item ${item} is outside 0..${this.catalog.size - 1}`);
    this.log.push(impression);
    const long = isLongWatch(impression);
    const skip = impression.skipped ? 1 : 0;
    this.itemImpressions[item]! += 1;
    this.itemSkips[item]! += skip;
    this.itemLikes[item]! += impression.liked ? 1 : 0;
    this.itemRatioSum[item]! += impression.ratio;
    this.viewerImpressions[viewer]! += 1;
    this.viewerSkips[viewer]! += skip;
    this.viewerRatioSum[viewer]! += impression.ratio;
    this.totals.impressions += 1;
    this.totals.skips += skip;
    this.totals.likes += impression.liked ? 1 : 0;
    this.totals.ratioSum += impression.ratio;
    for (const t of this.catalog.tags[item]!) {
      const base = (viewer * this.tags + t) * TAG_FIELDS;
      this.viewerTag[base]! += 1;
      this.viewerTag[base + 1]! += impression.ratio;
      this.viewerTag[base + 2]! += skip;
      this.viewerTag[base + 3]! += long ? 1 : 0;
    }
    if (!long) return;
    this.totals.long += 1;
    this.viewerLong[viewer]! += 1;
    this.viewerLongLogDuration[viewer]! += Math.log(this.catalog.durationS[item]!);
    this.countLong(item);
    const history = this.longWatched[viewer]!;
    for (let k = Math.max(0, history.length - COWATCH_WINDOW); k < history.length; k += 1) {
      const other = history[k]!;
      if (other === item) continue;
      this.pair(item, other);
      this.pair(other, item);
    }
    history.push(item);
  }

  private pair(a: number, b: number): void {
    let row = this.cowatch[a];
    if (!row) this.cowatch[a] = row = new Map();
    row.set(b, (row.get(b) ?? 0) + 1);
  }

  /**
   * Adds a long watch to the item and keeps `order` sorted: the item swaps with the first item of
   * its count's block, which makes it the last of the next block up. O(1) per long watch.
   */
  private countLong(item: number): void {
    const count = this.itemLong[item]!;
    const first = this.blockStart[count] ?? 0;
    const at = this.position[item]!;
    const displaced = this.order[first]!;
    this.order[first] = item;
    this.position[item] = first;
    this.order[at] = displaced;
    this.position[displaced] = at;
    this.blockStart[count] = first + 1;
    this.itemLong[item] = count + 1;
  }

  /** Up to `size` items by long-watch count (ties in a seeded order), skipping excluded ones. */
  popular(size: number, exclude: ReadonlySet<number>, also?: ReadonlySet<number>): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.order.length && out.length < size; k += 1) {
      const item = this.order[k]!;
      if (!exclude.has(item) && !also?.has(item)) out.push(item);
    }
    return out;
  }

  /** Items co-watched with the viewer's latest long watches, by summed cosine similarity. */
  neighbours(viewer: number): Map<number, number> {
    const scores = new Map<number, number>();
    const history = this.longWatched[viewer]!;
    for (let k = Math.max(0, history.length - COWATCH_SOURCES); k < history.length; k += 1) {
      const source = history[k]!;
      const row = this.cowatch[source];
      if (!row) continue;
      const sourceLong = this.itemLong[source]!;
      for (const [other, together] of row) {
        const similarity = together / Math.sqrt(sourceLong * Math.max(1, this.itemLong[other]!));
        scores.set(other, (scores.get(other) ?? 0) + similarity);
      }
    }
    return scores;
  }

  /** The viewer's counters for one tag: impressions, watch-ratio sum, skips, long watches. */
  viewerTagStats(viewer: number, tag: number): [number, number, number, number] {
    const base = (viewer * this.tags + tag) * TAG_FIELDS;
    const v = this.viewerTag;
    return [v[base]!, v[base + 1]!, v[base + 2]!, v[base + 3]!];
  }

  /** The viewer's tags by long watches, most first (ties by impressions with a good ratio). */
  topTags(viewer: number, limit: number): number[] {
    const scored: [number, number][] = [];
    for (let t = 0; t < this.tags; t += 1) {
      const [n, ratioSum, , long] = this.viewerTagStats(viewer, t);
      if (n > 0) scored.push([t, long + ratioSum / (n + 2)]);
    }
    scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    return scored.slice(0, limit).map(([t]) => t);
  }
}
