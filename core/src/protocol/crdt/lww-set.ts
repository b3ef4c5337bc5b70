import { compareStamps, maxStamp, type HlcStamp } from './hlc-stamp.ts';

/**
 * A last-writer-wins element set: likes, favourites, follows and follow-ups (追剧) per
 * (user, target). Each element keeps the highest add stamp and the highest remove stamp it has
 * seen; it is present when its add is later than its remove. Two devices toggling the same like
 * converge on whichever toggle happened last, and counts derive from presence, so they converge too.
 *
 * Bias: remove wins on equal stamps. An add and a remove of one element share a stamp only when a
 * single replica issued both with one stamp (a distinct node id makes stamps of different replicas
 * differ), which a correct HLC never does; so the bias only decides what a broken or replaying
 * replica gets. A like, a follow or a follow-up is public (counts, notifications, the followee's
 * list), and withdrawing one is what the user must be able to rely on, so the doubtful case resolves
 * to "not there". Add-wins, the usual choice for OR-sets, protects concurrent adds that a remove
 * did not observe; with HLC stamps concurrency is already resolved by time, and nothing is lost
 * that the user cannot tap again.
 *
 * Removed elements stay as tombstones (their remove stamp), so a stale add from an offline device
 * cannot bring them back. Values are immutable: every update returns a new set.
 */
export type LwwElement = string | number;

export interface LwwSetEntry {
  readonly added?: HlcStamp;
  readonly removed?: HlcStamp;
}

export type LwwSet<E extends LwwElement = string> = ReadonlyMap<E, LwwSetEntry>;

export function emptySet<E extends LwwElement = string>(): LwwSet<E> {
  return new Map<E, LwwSetEntry>();
}

function laterOf(a: HlcStamp | undefined, b: HlcStamp | undefined): HlcStamp | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return maxStamp(a, b);
}

export function mergeEntry(a: LwwSetEntry, b: LwwSetEntry): LwwSetEntry {
  const added = laterOf(a.added, b.added);
  const removed = laterOf(a.removed, b.removed);
  return {
    ...(added === undefined ? {} : { added }),
    ...(removed === undefined ? {} : { removed }),
  };
}

/** Present when added, and added strictly after any remove (remove wins a tie). */
export function isPresent(entry: LwwSetEntry | undefined): boolean {
  if (entry?.added === undefined) return false;
  return entry.removed === undefined || compareStamps(entry.added, entry.removed) > 0;
}

function withEntry<E extends LwwElement>(
  set: LwwSet<E>,
  element: E,
  entry: LwwSetEntry,
): LwwSet<E> {
  const current = set.get(element);
  const next = new Map(set);
  next.set(element, current === undefined ? entry : mergeEntry(current, entry));
  return next;
}

export function addElement<E extends LwwElement>(
  set: LwwSet<E>,
  element: E,
  stamp: HlcStamp,
): LwwSet<E> {
  return withEntry(set, element, { added: stamp });
}

export function removeElement<E extends LwwElement>(
  set: LwwSet<E>,
  element: E,
  stamp: HlcStamp,
): LwwSet<E> {
  return withEntry(set, element, { removed: stamp });
}

/** The join of two replicas: per element, the later add and the later remove. */
export function mergeSet<E extends LwwElement>(a: LwwSet<E>, b: LwwSet<E>): LwwSet<E> {
  const merged = new Map(a);
  for (const [element, entry] of b) {
    const current = merged.get(element);
    merged.set(element, current === undefined ? entry : mergeEntry(current, entry));
  }
  return merged;
}

export function has<E extends LwwElement>(set: LwwSet<E>, element: E): boolean {
  return isPresent(set.get(element));
}

function compareElements(a: LwwElement, b: LwwElement): number {
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/** The present elements in ascending order (numbers before strings), the same on every replica. */
export function values<E extends LwwElement>(set: LwwSet<E>): E[] {
  const present: E[] = [];
  for (const [element, entry] of set) if (isPresent(entry)) present.push(element);
  return present.sort(compareElements);
}

/** How many elements are present: the like count of a target, the follower count of a creator. */
export function count<E extends LwwElement>(set: LwwSet<E>): number {
  let present = 0;
  for (const entry of set.values()) if (isPresent(entry)) present += 1;
  return present;
}

/**
 * What one element's merge did to {@link count}, given its entry before and after: +1, -1 or 0. The
 * server applies it to a stored count in the same transaction as the merge, so the count always
 * equals the set it derives from, however often or late an operation arrives.
 */
export function countDelta(
  before: LwwSetEntry | undefined,
  after: LwwSetEntry | undefined,
): -1 | 0 | 1 {
  const was = isPresent(before);
  const is = isPresent(after);
  return was === is ? 0 : is ? 1 : -1;
}
