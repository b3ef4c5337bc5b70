import { sizeScale, type DanmuComment } from './danmu-comment.ts';
import { createDanmuFilter, type DanmuFilter } from './danmu-filter.ts';
import type { DanmuRenderer, RendererBackend } from './danmu-renderer.ts';
import type { DanmuSettings } from './danmu-settings.ts';
import { createDanmuTimeline } from './danmu-timeline.ts';
import {
  createLaneAllocator,
  xAt,
  type LaneAllocator,
  type LaneGeometry,
  type LaneMode,
  type Placement,
} from './lane-allocator.ts';

/**
 * Runs danmu against the video clock: each frame the layer passes the video's current time and
 * the engine admits what became due, moves what is shown and drops what ended. Positions are a
 * function of video time alone, so pausing the video freezes them, a seek re-syncs (clear, then
 * re-admit everything that would be on screen at the new time, where it would be), and a faster
 * playback rate moves them faster in real time with no extra code.
 *
 * Reduced motion (prefers-reduced-motion): scroll danmu are shown still, centred like top danmu,
 * and fade out at the end of their time instead of travelling across the picture.
 */
export interface DanmuEngineOptions {
  renderer: DanmuRenderer;
  settings: DanmuSettings;
  reducedMotion: boolean;
  /** Whether a comment is the viewer's own (marked, and never filtered out). */
  isOwn: (comment: DanmuComment) => boolean;
  /** Video time a scroll danmu takes to cross; top and bottom ones stay `fixedMs`. */
  scrollMs?: number;
  fixedMs?: number;
}

export interface ShownDanmu {
  readonly key: number;
  readonly comment: DanmuComment;
  readonly own: boolean;
  readonly placement: Placement;
}

export interface DanmuEngine {
  readonly backend: RendererBackend;
  /** Adds known danmu (history or live); they show when the playhead reaches them. */
  add(comment: DanmuComment): boolean;
  /**
   * Adds a loaded history page: besides waiting for the playhead, the ones that would be on
   * screen right now (a page that arrived after the playhead passed them) enter where they would
   * be. Answers how many were new.
   */
  addHistory(comments: readonly DanmuComment[]): number;
  /**
   * Adds a danmu that just arrived live or was just sent here: if its moment is on screen now, it
   * enters at once (from the right edge) instead of waiting for a replay.
   */
  addNow(comment: DanmuComment): boolean;
  /** Takes back a failed own send. */
  removeByCmid(cmid: string): void;
  frame(tMs: number): void;
  /** Clears the screen and re-admits what belongs at `tMs` (after a seek, resize, settings). */
  resync(tMs: number): void;
  resize(width: number, height: number): void;
  setSettings(settings: DanmuSettings): void;
  setReducedMotion(reduced: boolean): void;
  shown(): readonly ShownDanmu[];
  /** Danmu known for this episode. */
  readonly known: number;
  destroy(): void;
}

/**
 * Line height relative to the font size: the lane height of a normal danmu. 1.4 leaves room for
 * the 3 px outline Pixi draws around the glyphs (a 20 px line with it is 27 px tall).
 */
const lineHeight = 1.4;
/** A playhead moving more than this in one frame is a seek, not playback. */
const jumpMs = 1500;
/** Live danmu this far behind the playhead are still shown at once. */
const liveLateMs = 3000;
const fadeMs = 600;

export function createDanmuEngine(options: DanmuEngineOptions): DanmuEngine {
  const { renderer, isOwn } = options;
  const scrollMs = options.scrollMs ?? 8000;
  const fixedMs = options.fixedMs ?? 4000;
  let settings = options.settings;
  let reducedMotion = options.reducedMotion;
  let filter: DanmuFilter = createDanmuFilter(settings);
  let width = 0;
  let height = 0;
  let allocator: LaneAllocator = createLaneAllocator(geometry());
  const timeline = createDanmuTimeline();
  const active = new Map<number, ShownDanmu>();
  const pendingNow: DanmuComment[] = [];
  let nextKey = 1;
  let lastMs: number | null = null;
  let dirty = true;
  /** Comments on the last frame drawn: an empty screen that stays empty is not drawn again. */
  let drawnCount = -1;

  function geometry(): LaneGeometry {
    return {
      width,
      height,
      laneHeight: Math.ceil(settings.fontSize * lineHeight),
      area: settings.area,
      scrollMs,
      fixedMs,
      gap: Math.round(settings.fontSize * 0.75),
    };
  }

  function laneMode(comment: DanmuComment): LaneMode {
    return reducedMotion && comment.mode === 'scroll' ? 'top' : comment.mode;
  }

  function admit(comment: DanmuComment, startMs: number): void {
    if (!settings.enabled || width <= 0 || height <= 0) return;
    const own = isOwn(comment);
    if (!filter(comment, own)) return;
    const fontSize = Math.round(settings.fontSize * sizeScale[comment.size]);
    const boxHeight = Math.ceil(fontSize * lineHeight);
    const key = nextKey++;
    const drawn = renderer.add(key, {
      text: comment.text,
      colour: comment.colour,
      fontSize,
      boxHeight,
      own,
    });
    const placement = allocator.place({
      mode: laneMode(comment),
      width: drawn.width,
      height: drawn.height,
      startMs,
    });
    if (!placement) {
      renderer.remove(key);
      return;
    }
    active.set(key, { key, comment, own, placement });
    dirty = true;
  }

  function clearScreen(): void {
    renderer.clear();
    active.clear();
    allocator = createLaneAllocator(geometry());
    dirty = true;
  }

  function resync(tMs: number): void {
    clearScreen();
    pendingNow.length = 0;
    lastMs = tMs;
    // Everything whose display interval covers tMs, in position order as if played through.
    const longest = Math.max(scrollMs, fixedMs);
    for (const comment of timeline.between(tMs - longest, tMs)) {
      const duration = laneMode(comment) === 'scroll' ? scrollMs : fixedMs;
      if (comment.posMs + duration > tMs) admit(comment, comment.posMs);
    }
    draw(tMs);
  }

  function alphaAt(shown: ShownDanmu, tMs: number): number {
    if (!(reducedMotion && shown.comment.mode === 'scroll')) return 1;
    const left = shown.placement.endMs - tMs;
    return Math.max(0, Math.min(1, left / fadeMs));
  }

  function draw(tMs: number): void {
    const g = allocator.geometry;
    for (const shown of active.values()) {
      if (tMs >= shown.placement.endMs || tMs < shown.placement.startMs - 1) {
        allocator.release(shown.placement);
        renderer.remove(shown.key);
        active.delete(shown.key);
        continue;
      }
      renderer.place(
        shown.key,
        xAt(shown.placement, g, tMs),
        shown.placement.y,
        alphaAt(shown, tMs),
      );
    }
    allocator.prune(tMs);
    // A playing video with no danmu would otherwise redraw (and recomposite) an empty layer every
    // frame.
    if (active.size > 0 || drawnCount !== 0) renderer.render();
    drawnCount = active.size;
    dirty = false;
  }

  return {
    get backend() {
      return renderer.backend;
    },
    get known() {
      return timeline.size;
    },
    add: (comment) => timeline.add(comment),
    addHistory(comments) {
      const fresh = comments.filter((comment) => timeline.add(comment));
      if (lastMs !== null) {
        const now = lastMs;
        const late = fresh
          .filter((comment) => {
            const duration = laneMode(comment) === 'scroll' ? scrollMs : fixedMs;
            return comment.posMs <= now && comment.posMs + duration > now;
          })
          .sort((a, b) => a.posMs - b.posMs);
        for (const comment of late) admit(comment, comment.posMs);
        if (late.length > 0) draw(now);
      }
      return fresh.length;
    },
    addNow(comment) {
      if (!timeline.add(comment)) return false;
      pendingNow.push(comment);
      return true;
    },
    removeByCmid(cmid) {
      const comment = timeline.removeByCmid(cmid);
      if (!comment) return;
      for (const shown of active.values()) {
        if (shown.comment !== comment) continue;
        allocator.release(shown.placement);
        renderer.remove(shown.key);
        active.delete(shown.key);
        dirty = true;
      }
    },
    frame(tMs) {
      if (!Number.isFinite(tMs)) return;
      if (lastMs === null || tMs < lastMs - 50 || tMs > lastMs + jumpMs) {
        resync(tMs);
        return;
      }
      if (tMs > lastMs) {
        for (const comment of timeline.between(lastMs, tMs)) {
          if (!pendingNow.includes(comment)) admit(comment, comment.posMs);
        }
      }
      for (const comment of pendingNow.splice(0)) {
        // A live danmu far from this viewer's playhead waits in the timeline for its moment.
        if (comment.posMs <= tMs + 50 && comment.posMs > tMs - liveLateMs) admit(comment, tMs);
      }
      if (tMs === lastMs && !dirty) return;
      lastMs = tMs;
      draw(tMs);
    },
    resync,
    resize(w, h) {
      if (w === width && h === height) return;
      width = Math.max(0, Math.floor(w));
      height = Math.max(0, Math.floor(h));
      renderer.resize(width, height);
      if (lastMs !== null) resync(lastMs);
      else allocator = createLaneAllocator(geometry());
    },
    setSettings(next) {
      settings = next;
      filter = createDanmuFilter(settings);
      renderer.setOpacity(settings.opacity);
      if (lastMs !== null) resync(lastMs);
      else allocator = createLaneAllocator(geometry());
    },
    setReducedMotion(reduced) {
      if (reduced === reducedMotion) return;
      reducedMotion = reduced;
      if (lastMs !== null) resync(lastMs);
    },
    shown: () => [...active.values()],
    destroy() {
      active.clear();
      timeline.clear();
      renderer.destroy();
    },
  };
}
