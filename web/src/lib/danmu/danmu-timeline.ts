import type { DanmuComment } from './danmu-comment.ts';

/**
 * The danmu of one episode known to this page, in video-time order: history windows and live
 * publications merge here, deduplicated by message id, and the viewer's own optimistic send is
 * matched to its echo by client message id. Pure; the layer asks it what became due as the
 * playhead moves.
 */
export interface DanmuTimeline {
  readonly size: number;
  /**
   * Adds a comment; false when it is already known (same mid, or the echo of a pending own send,
   * which then gets its mid).
   */
  add(comment: DanmuComment): boolean;
  /** Removes a comment (a failed own send) by its client message id. */
  removeByCmid(cmid: string): DanmuComment | null;
  /** Comments with fromMs < posMs <= toMs, in position order. */
  between(fromMs: number, toMs: number): DanmuComment[];
  clear(): void;
}

export function createDanmuTimeline(): DanmuTimeline {
  const sorted: DanmuComment[] = [];
  const byMid = new Set<string>();
  const byCmid = new Map<string, DanmuComment>();

  /** Index of the first comment with posMs > ms. */
  function upperBound(ms: number): number {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]!.posMs <= ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  return {
    get size() {
      return sorted.length;
    },
    add(comment) {
      if (comment.mid !== null && byMid.has(comment.mid)) return false;
      if (comment.cmid !== null) {
        const pending = byCmid.get(comment.cmid);
        if (pending) {
          if (pending.mid === null && comment.mid !== null) {
            pending.mid = comment.mid;
            pending.uid = comment.uid;
            byMid.add(comment.mid);
          }
          return false;
        }
        byCmid.set(comment.cmid, comment);
      }
      if (comment.mid !== null) byMid.add(comment.mid);
      sorted.splice(upperBound(comment.posMs), 0, comment);
      return true;
    },
    removeByCmid(cmid) {
      const comment = byCmid.get(cmid);
      if (!comment) return null;
      byCmid.delete(cmid);
      if (comment.mid !== null) byMid.delete(comment.mid);
      const index = sorted.indexOf(comment);
      if (index !== -1) sorted.splice(index, 1);
      return comment;
    },
    between(fromMs, toMs) {
      if (!(toMs > fromMs)) return [];
      return sorted.slice(upperBound(fromMs), upperBound(toMs));
    },
    clear() {
      sorted.length = 0;
      byMid.clear();
      byCmid.clear();
    },
  };
}
