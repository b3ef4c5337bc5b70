/**
 * Likes, favourites, follow-ups (追剧) and follows: one LWW element set per (user, kind), stored
 * one element per row (`engagement_edges`), with the counts that derive from them (DESIGN.md
 * "CRDT-like state"; the merge rule is core/src/protocol/crdt/lww-set.ts). Two devices toggling
 * the same like converge on the toggle with the higher HLC stamp, whatever order the writes
 * arrive in, and a remove wins a tie. Each count is adjusted in the transaction that flips an
 * edge's presence, so it always equals the number of present edges.
 *
 * Implementation: store-sql.ts; tests in store.test.ts run against PGlite and PostgreSQL.
 */
import type { HlcStamp } from '../protocol/crdt/hlc-stamp.ts';

export const engagementKinds = ['like', 'favourite', 'follow_up', 'follow'] as const;
export type EngagementKind = (typeof engagementKinds)[number];

export const engagementTargetTypes = ['episode', 'series', 'user'] as const;
export type EngagementTargetType = (typeof engagementTargetTypes)[number];

/** What each kind may point at; the table's check constraint says the same. */
export const targetTypesOf: Readonly<Record<EngagementKind, readonly EngagementTargetType[]>> = {
  like: ['episode', 'series'],
  favourite: ['episode', 'series'],
  follow_up: ['series'],
  follow: ['user'],
};

export function isEngagementKind(value: unknown): value is EngagementKind {
  return typeof value === 'string' && (engagementKinds as readonly string[]).includes(value);
}

export function isEngagementTargetType(value: unknown): value is EngagementTargetType {
  return typeof value === 'string' && (engagementTargetTypes as readonly string[]).includes(value);
}

/** Whether `kind` may point at `targetType` (a like on a user, a follow of a series may not). */
export function isValidTarget(kind: EngagementKind, targetType: EngagementTargetType): boolean {
  return targetTypesOf[kind].includes(targetType);
}

export interface EngagementWrite {
  kind: EngagementKind;
  targetType: EngagementTargetType;
  targetId: number;
  /** true: add (like, follow, ...); false: remove. */
  present: boolean;
  /** The stamp of the device that made the change, so late arrivals merge by when they happened. */
  hlc: HlcStamp;
}

export interface EngagementWriteResult {
  /** This write is the element's winner now (a retry of the winning write is applied too). */
  applied: boolean;
  /** The element's presence after the write: the winner's, which may be another device's. */
  present: boolean;
  /** The target's count of this kind (likes, favourites, follow-ups, followers) after the write. */
  count: number;
}

export interface EngagementState {
  targetId: number;
  /** Whether the user's set holds the target. */
  present: boolean;
  /** The target's count of this kind (0 for a target nobody engaged with, or one that is gone). */
  count: number;
}

/** Keyset position in a list: the last item's stamp and id (its target, or the follower). */
export interface EngagementCursor {
  hlc: HlcStamp;
  id: number;
}

export interface EngagementEdge {
  targetId: number;
  /** The stamp of the add that holds the element. */
  hlc: HlcStamp;
}

export interface FollowerEdge {
  userId: number;
  hlc: HlcStamp;
}

export interface EngagementPage<T> {
  items: T[];
  /** Where the next page starts; null on the last page. */
  next: EngagementCursor | null;
}

export interface EngagementStore {
  /**
   * LWW write of one element of `userId`'s set. Rejects with {@link EngagementTargetNotFoundError}
   * when the target does not exist and with RangeError for a kind that cannot point at the target
   * type, a self-follow, or malformed ids or stamps.
   */
  write(userId: number, write: EngagementWrite): Promise<EngagementWriteResult>;
  /** Presence and counts of several targets of one kind, in the order asked (for a screen). */
  state(
    userId: number,
    kind: EngagementKind,
    targetType: EngagementTargetType,
    targetIds: readonly number[],
  ): Promise<EngagementState[]>;
  /** The present elements of a set, newest stamp first. */
  list(
    userId: number,
    kind: EngagementKind,
    targetType: EngagementTargetType,
    cursor: EngagementCursor | null,
    limit: number,
  ): Promise<EngagementPage<EngagementEdge>>;
  /** Who follows `userId`, newest follow first. */
  followers(
    userId: number,
    cursor: EngagementCursor | null,
    limit: number,
  ): Promise<EngagementPage<FollowerEdge>>;
  /** Whether a target exists: a published series, an episode of one, a user. */
  targetExists(targetType: EngagementTargetType, targetId: number): Promise<boolean>;
}

/** The episode, series or user a write names does not exist. */
export class EngagementTargetNotFoundError extends Error {
  override readonly name = 'EngagementTargetNotFoundError';
  readonly code = 'NOT_FOUND';
  constructor(
    readonly targetType: EngagementTargetType,
    readonly targetId: number,
  ) {
    super(`${targetType} ${targetId} does not exist`);
  }
}
