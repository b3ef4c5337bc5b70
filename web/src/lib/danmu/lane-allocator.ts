/**
 * Lane allocation for danmu: where a new comment goes so that no two comments on screen ever
 * overlap. Pure: times are video-time milliseconds and sizes CSS pixels, given by the caller.
 *
 * The screen is cut into horizontal lanes of one normal line each; a comment taller than a lane
 * (a large one) spans several adjacent lanes. Every comment is a rectangle moving linearly in x
 * over its display interval [start, end):
 * - scroll: enters at the right edge at `start` and leaves past the left edge at `end`, so its
 *   speed is (screen width + its width) / duration; longer text moves faster, as in every danmu
 *   player, which is why a short comment behind a long one can never catch it up but a long one
 *   behind a short one can;
 * - top and bottom: centred and still for their display time.
 *
 * A comment may take a lane only if, over the time both are on screen, it never comes within
 * `gap` pixels of any comment already there: the distance between two linearly moving intervals
 * is linear in time, so one interval check per occupant is exact (it covers "overlaps the
 * previous one now" and "catches up with it before that one leaves the screen" alike, and a
 * scroll comment passing behind a top or bottom one in a shared lane).
 *
 * Scroll and top comments fill the display band from the top down, bottom comments the band of
 * the same height from the bottom up (at full area the two bands share lanes, and the interval
 * check keeps them apart). When no lane is free the comment is dropped, never overlapped and
 * never delayed: a delayed comment would no longer sit at the moment of the video it was about.
 */

export type LaneMode = 'scroll' | 'top' | 'bottom';

export interface LaneGeometry {
  /** Stage size in CSS pixels. */
  readonly width: number;
  readonly height: number;
  /** Height of one lane (a normal comment's line). */
  readonly laneHeight: number;
  /** Share of the height comments may use: 0.25, 0.5, 0.75 or 1. */
  readonly area: number;
  /** Video time a scroll comment takes to cross the screen. */
  readonly scrollMs: number;
  /** Video time a top or bottom comment stays. */
  readonly fixedMs: number;
  /** Smallest horizontal distance between two comments of one lane. */
  readonly gap: number;
}

export interface LaneRequest {
  readonly mode: LaneMode;
  readonly width: number;
  readonly height: number;
  /** Video time the comment appears. */
  readonly startMs: number;
}

export interface Placement {
  readonly mode: LaneMode;
  /** The first (topmost) lane it occupies, and how many. */
  readonly lane: number;
  readonly span: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly width: number;
  readonly height: number;
  /** Top edge in pixels. */
  readonly y: number;
}

/** The left edge of a placed comment at video time `tMs` (clamped to its display interval). */
export function xAt(placement: Placement, geometry: LaneGeometry, tMs: number): number {
  const { a, b } = motion(placement, geometry);
  const t = Math.min(Math.max(tMs, placement.startMs), placement.endMs);
  return a + b * t;
}

/** x(t) = a + b·t for a placement. */
function motion(placement: Placement, geometry: LaneGeometry): { a: number; b: number } {
  if (placement.mode !== 'scroll') return { a: (geometry.width - placement.width) / 2, b: 0 };
  const speed = (geometry.width + placement.width) / (placement.endMs - placement.startMs);
  return { a: geometry.width + speed * placement.startMs, b: -speed };
}

/**
 * Whether two placements in one lane come closer than `gap` at some moment both are shown.
 * Display intervals are half-open, so one leaving as the other arrives is no conflict.
 */
export function conflicts(one: Placement, other: Placement, geometry: LaneGeometry): boolean {
  let lo = Math.max(one.startMs, other.startMs);
  let hi = Math.min(one.endMs, other.endMs);
  if (!(lo < hi)) return false;
  const m1 = motion(one, geometry);
  const m2 = motion(other, geometry);
  // Overlap (within gap) while both hold: x1 < x2 + w2 + gap and x2 < x1 + w1 + gap.
  const constraints: Array<[number, number]> = [
    [m2.a - m1.a + other.width + geometry.gap, m2.b - m1.b],
    [m1.a - m2.a + one.width + geometry.gap, m1.b - m2.b],
  ];
  for (const [a, b] of constraints) {
    // a + b·t > 0
    if (b === 0) {
      if (a <= 0) return false;
    } else if (b > 0) {
      lo = Math.max(lo, -a / b);
    } else {
      hi = Math.min(hi, -a / b);
    }
  }
  // A touching instant (float noise included) is not an overlap.
  return hi - lo > 1e-6;
}

export interface LaneCounts {
  /** Lanes on the whole stage. */
  readonly total: number;
  /** Lanes of the display band (scroll and top from the top, bottom from the bottom). */
  readonly band: number;
}

export function laneCounts(geometry: LaneGeometry): LaneCounts {
  if (!(geometry.laneHeight > 0) || !(geometry.height > 0)) return { total: 0, band: 0 };
  const total = Math.floor(geometry.height / geometry.laneHeight);
  const band = Math.min(total, Math.floor((geometry.height * geometry.area) / geometry.laneHeight));
  // A band too thin for one lane still shows one, as long as one fits on the stage.
  return { total, band: total > 0 ? Math.max(1, band) : 0 };
}

export interface LaneAllocator {
  readonly geometry: LaneGeometry;
  readonly counts: LaneCounts;
  /** Finds lanes for a comment and reserves them; null when none is free (drop it). */
  place(request: LaneRequest): Placement | null;
  /** Frees a placement early (a comment taken off the screen before its end). */
  release(placement: Placement): void;
  /** Forgets placements that ended by `tMs`; call as video time advances. */
  prune(tMs: number): void;
  /** Placements still held, for tests and diagnostics. */
  size(): number;
}

export function createLaneAllocator(geometry: LaneGeometry): LaneAllocator {
  const counts = laneCounts(geometry);
  const lanes: Placement[][] = Array.from({ length: counts.total }, () => []);

  function free(candidate: Placement): boolean {
    for (let lane = candidate.lane; lane < candidate.lane + candidate.span; lane += 1) {
      for (const occupant of lanes[lane]!) {
        if (conflicts(candidate, occupant, geometry)) return false;
      }
    }
    return true;
  }

  function candidateAt(request: LaneRequest, lane: number, span: number): Placement {
    const duration = request.mode === 'scroll' ? geometry.scrollMs : geometry.fixedMs;
    return {
      mode: request.mode,
      lane,
      span,
      startMs: request.startMs,
      endMs: request.startMs + duration,
      width: request.width,
      height: request.height,
      y: lane * geometry.laneHeight,
    };
  }

  return {
    geometry,
    counts,
    place(request) {
      if (!(request.width > 0) || !(request.height > 0) || !Number.isFinite(request.startMs))
        return null;
      const span = Math.max(1, Math.ceil(request.height / geometry.laneHeight - 1e-9));
      if (span > counts.band) return null;
      const slots = counts.band - span + 1;
      for (let k = 0; k < slots; k += 1) {
        const lane = request.mode === 'bottom' ? counts.total - span - k : k;
        const candidate = candidateAt(request, lane, span);
        if (!free(candidate)) continue;
        for (let l = lane; l < lane + span; l += 1) lanes[l]!.push(candidate);
        return candidate;
      }
      return null;
    },
    release(placement) {
      for (let l = placement.lane; l < placement.lane + placement.span; l += 1) {
        const occupants = lanes[l];
        if (!occupants) continue;
        const index = occupants.indexOf(placement);
        if (index !== -1) occupants.splice(index, 1);
      }
    },
    prune(tMs) {
      for (const occupants of lanes) {
        let kept = 0;
        for (const occupant of occupants) if (occupant.endMs > tMs) occupants[kept++] = occupant;
        occupants.length = kept;
      }
    },
    size() {
      const unique = new Set<Placement>();
      for (const occupants of lanes) for (const occupant of occupants) unique.add(occupant);
      return unique.size;
    },
  };
}
