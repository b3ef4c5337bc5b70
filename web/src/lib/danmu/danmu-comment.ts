import type { Danmu } from '@binge/core/protocol/catalog';
import type { LaneMode } from './lane-allocator.ts';

/**
 * One danmu as the layer holds it, whichever way it came: a gateway publication (`DanmuData`,
 * live or from `history`), an item of the HTTP window, or the viewer's own send shown before the
 * gateway confirms it (`mid` null until then).
 */
export interface DanmuComment {
  mid: string | null;
  uid: number | null;
  text: string;
  /** Video time in milliseconds. */
  posMs: number;
  mode: LaneMode;
  /** `#rrggbb`. */
  colour: string;
  /** 0 small, 1 normal, 2 large. */
  size: 0 | 1 | 2;
  cmid: string | null;
}

export const modeNames: readonly LaneMode[] = ['scroll', 'top', 'bottom'];
export const sizeScale = [0.8, 1, 1.25] as const;

const colourPattern = /^#[0-9A-Fa-f]{6}$/;
const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

function isSmallInt(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

/**
 * A gateway publication's data, checked: the client hands `d` over as the gateway sent it, and a
 * newer or faulty server must not be able to break the layer. Null when it is not a danmu.
 */
export function fromPublication(data: unknown): DanmuComment | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Record<string, unknown>;
  if (typeof d.mid !== 'string' || !idPattern.test(d.mid)) return null;
  if (!isSmallInt(d.uid, Number.MAX_SAFE_INTEGER) || d.uid === 0) return null;
  if (typeof d.t !== 'string' || d.t.length === 0 || d.t.length > 400) return null;
  if (!isSmallInt(d.pos, 86_400_000)) return null;
  if (!isSmallInt(d.mode, 2) || !isSmallInt(d.size, 2)) return null;
  if (typeof d.col !== 'string' || !colourPattern.test(d.col)) return null;
  const cmid = typeof d.cmid === 'string' && idPattern.test(d.cmid) ? d.cmid : null;
  return {
    mid: d.mid,
    uid: d.uid,
    text: d.t,
    posMs: d.pos,
    mode: modeNames[d.mode]!,
    colour: d.col,
    size: d.size as 0 | 1 | 2,
    cmid,
  };
}

/** An item of `GET /api/v1/episodes/{id}/danmu`, checked the same way. */
export function fromWindowItem(item: Danmu): DanmuComment | null {
  return fromPublication({
    mid: item.mid,
    uid: item.userId,
    t: item.text,
    pos: item.posMs,
    mode: item.mode,
    col: item.colour,
    size: item.size,
    cmid: item.cmid,
  });
}

/** Yours: sent by the signed-in user, or carrying one of this device's client message ids. */
export function isOwnComment(
  comment: DanmuComment,
  selfUserId: number | null,
  ownCmids: ReadonlySet<string>,
): boolean {
  if (selfUserId !== null && comment.uid === selfUserId) return true;
  return comment.cmid !== null && ownCmids.has(comment.cmid);
}
