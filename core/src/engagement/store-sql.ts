import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { isPublishedSeries } from '../catalog/published-series.ts';
import type { Database } from '../db/database.ts';
import { engagementEdges, episodes, series, users } from '../db/schema.ts';
import { compareStamps, validateStamp, type HlcStamp } from '../protocol/crdt/hlc-stamp.ts';
import { bumpSeriesActivity, type ActivityField } from '../rankings/activity.ts';
import {
  EngagementTargetNotFoundError,
  isEngagementKind,
  isEngagementTargetType,
  isValidTarget,
  type EngagementCursor,
  type EngagementKind,
  type EngagementPage,
  type EngagementStore,
  type EngagementTargetType,
} from './store.ts';

/** Ids are positive int32 everywhere (docs/protocol.md "Ids"), as the `serial` columns are. */
const maxId = 2_147_483_647;
/** Targets per state() call: a screen of cards, not a bulk export. */
const maxStateTargets = 200;

function assertId(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > maxId)
    throw new RangeError(`${name} must be an integer in [1, ${maxId}], got ${String(value)}`);
}

function assertLimit(value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > maxId - 1)
    throw new RangeError(`limit must be an integer in [1, ${maxId - 1}], got ${String(value)}`);
}

function assertStampOf(name: string, value: unknown): HlcStamp {
  const checked = validateStamp(value);
  if (!checked.ok) throw new RangeError(`${name}: ${checked.reason}`);
  return checked.stamp;
}

function assertKindTarget(kind: EngagementKind, targetType: EngagementTargetType): void {
  if (!isEngagementKind(kind)) throw new RangeError(`unknown kind ${String(kind)}`);
  if (!isEngagementTargetType(targetType))
    throw new RangeError(`unknown target type ${String(targetType)}`);
  if (!isValidTarget(kind, targetType))
    throw new RangeError(`a ${kind} cannot point at a ${targetType}`);
}

/**
 * The LWW rule of lww-set.ts for a row that holds only the winning operation: the incoming
 * operation replaces it when its stamp is higher in compareStamps order, or on an equal stamp when
 * it is a remove and the stored one an add (remove wins ties). The element's presence is then that
 * of the latest operation, exactly as isPresent(mergeEntry(...)) over the full add/remove stamps.
 */
export function replacesStored(
  incoming: { present: boolean; hlc: HlcStamp },
  stored: { present: boolean; hlc: HlcStamp },
): boolean {
  const order = compareStamps(incoming.hlc, stored.hlc);
  return order > 0 || (order === 0 && !incoming.present && stored.present);
}

/** A counter column: its table, key column and count column, all fixed names from the schema. */
interface CounterColumn {
  table: string;
  key: string;
  column: string;
}

/** The count a kind of edge derives on its target (the schema's counter tables). */
function targetCounter(kind: EngagementKind, targetType: EngagementTargetType): CounterColumn {
  if (kind === 'follow') return { table: 'user_counters', key: 'user_id', column: 'followers' };
  const column = kind === 'like' ? 'likes' : kind === 'favourite' ? 'favourites' : 'follow_ups';
  return targetType === 'episode'
    ? { table: 'episode_counters', key: 'episode_id', column }
    : { table: 'series_counters', key: 'series_id', column };
}

/**
 * The hot ranking's activity field a kind feeds (core/src/rankings/activity.ts); a like of an
 * episode counts for its series. Follows of users rank no series.
 */
const activityField: Record<EngagementKind, ActivityField | null> = {
  like: 'likes',
  favourite: 'favourites',
  follow_up: 'followUps',
  follow: null,
};

const followingCounter: CounterColumn = {
  table: 'user_counters',
  key: 'user_id',
  column: 'following',
};

/** The SQLSTATE of a PostgreSQL error, whichever driver raised it and however drizzle wrapped it. */
function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth += 1) {
    const { code, cause } = e as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = cause;
  }
  return undefined;
}

/** Both drivers answer a raw statement with `{ rows }`; the shared Database type leaves it unknown. */
async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  return ((await result) as { rows: T[] }).rows;
}

/** bigint arrives as a string (node-postgres), a number or a bigint (PGlite). */
const toCount = (value: unknown): number => Number(String(value));

type Executor = Pick<Database, 'execute' | 'select'>;

/**
 * Adds `delta` to a counter row, creating it on the first +1. A -1 only ever follows a +1 of the
 * same edge, so its row exists; a -1 without one, or one that would go below zero (the check
 * constraint), means the count and the edges disagree, and aborts the transaction.
 */
async function adjust(tx: Executor, counter: CounterColumn, id: number, delta: 1 | -1) {
  const table = sql.identifier(counter.table);
  const key = sql.identifier(counter.key);
  const column = sql.identifier(counter.column);
  if (delta === 1) {
    await tx.execute(sql`insert into ${table} (${key}, ${column}) values (${id}, 1)
      on conflict (${key}) do update set ${column} = ${table}.${column} + 1, updated_at = now()`);
    return;
  }
  const updated = await rowsOf<{ id: unknown }>(
    tx.execute(sql`update ${table} set ${column} = ${column} - 1, updated_at = now()
      where ${key} = ${id} returning ${key} as id`),
  );
  if (updated.length !== 1)
    throw new Error(`${counter.table}.${counter.column} of ${id} is missing a removed edge`);
}

async function countsOf(
  tx: Executor,
  counter: CounterColumn,
  ids: readonly number[],
): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const table = sql.identifier(counter.table);
  const key = sql.identifier(counter.key);
  const column = sql.identifier(counter.column);
  const list = sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
  const rows = await rowsOf<{ id: unknown; count: unknown }>(
    tx.execute(sql`select ${key} as id, ${column}::text as count from ${table}
      where ${key} in (${list})`),
  );
  return new Map(rows.map((row) => [Number(row.id), toCount(row.count)]));
}

/** (wall, counter, node, id) strictly before the cursor in newest-first order. */
function before(cursor: EngagementCursor | null, id: SQL): SQL | undefined {
  if (cursor === null) return undefined;
  const { hlc } = cursor;
  return sql`(${engagementEdges.hlcWallMs}, ${engagementEdges.hlcCounter},
    ${engagementEdges.hlcNode} collate "C", ${id})
    < (${hlc.wallMs}, ${hlc.counter}, ${hlc.node} collate "C", ${cursor.id})`;
}

function assertCursor(cursor: EngagementCursor | null): void {
  if (cursor === null) return;
  assertStampOf('cursor.hlc', cursor.hlc);
  assertId('cursor.id', cursor.id);
}

/** Newest stamp first; node ids by byte (`COLLATE "C"`), as compareStamps orders them. */
const newestFirst = [
  desc(engagementEdges.hlcWallMs),
  desc(engagementEdges.hlcCounter),
  sql`${engagementEdges.hlcNode} collate "C" desc`,
];

const stampOf = (row: { wall: number; counter: number; node: string }): HlcStamp => ({
  wallMs: Number(row.wall),
  counter: row.counter,
  node: row.node,
});

/** A stamp no valid one equals or precedes: the placeholder of an element never written. */
const unwritten = { wallMs: -1, counter: 0, node: '' } as const;

/**
 * The EngagementStore over core's Drizzle handle, identical on PGlite and node-postgres.
 *
 * A write is one transaction: insert a placeholder row for the element if there is none (so even
 * a first write has a row to lock), lock it with `for update`, decide in TypeScript with
 * {@link replacesStored}, update it, and when presence flipped adjust the counters and the
 * series' hourly activity bucket of the hot ranking (+1 / −1). Concurrent writes of one element
 * queue on its row lock, and each decides against what the one before committed, so the winner
 * and the count are the same in every interleaving. Counter rows are always locked after the edge
 * row and the activity bucket after the counters, so writes never wait on each other in a cycle.
 */
export function createSqlEngagementStore(db: Database): EngagementStore {
  /**
   * Whether the target exists, and for an episode or a series the series whose hot-ranking
   * activity its likes, favourites and follow-ups feed (null for a user).
   */
  async function findTarget(
    tx: Executor,
    targetType: EngagementTargetType,
    targetId: number,
  ): Promise<{ seriesId: number | null } | null> {
    if (targetType === 'user') {
      const rows = await tx
        .select({ id: users.id })
        .from(users)
        .where(eq(users.id, targetId))
        .limit(1);
      return rows.length > 0 ? { seriesId: null } : null;
    }
    if (targetType === 'series') {
      const rows = await tx
        .select({ id: series.id })
        .from(series)
        .where(and(eq(series.id, targetId), isPublishedSeries))
        .limit(1);
      return rows.length > 0 ? { seriesId: targetId } : null;
    }
    // An episode viewers can reach: one of a published series (EPISODE_NOT_FOUND's meaning).
    const rows = await tx
      .select({ seriesId: episodes.seriesId })
      .from(episodes)
      .innerJoin(series, eq(series.id, episodes.seriesId))
      .where(and(eq(episodes.id, targetId), isPublishedSeries))
      .limit(1);
    return rows[0] ?? null;
  }

  return {
    async targetExists(targetType, targetId) {
      if (!isEngagementTargetType(targetType))
        throw new RangeError(`unknown target type ${String(targetType)}`);
      assertId('targetId', targetId);
      return (await findTarget(db, targetType, targetId)) !== null;
    },

    async write(userId, input) {
      assertId('userId', userId);
      const { kind, targetType, targetId } = input;
      assertKindTarget(kind, targetType);
      assertId('targetId', targetId);
      if (typeof input.present !== 'boolean') throw new RangeError('present must be a boolean');
      if (kind === 'follow' && targetId === userId)
        throw new RangeError(`user ${userId} cannot follow themself`);
      const incoming = { present: input.present, hlc: assertStampOf('hlc', input.hlc) };
      const counter = targetCounter(kind, targetType);
      const element = and(
        eq(engagementEdges.userId, userId),
        eq(engagementEdges.kind, kind),
        eq(engagementEdges.targetType, targetType),
        eq(engagementEdges.targetId, targetId),
      );

      return db.transaction(async (tx) => {
        const target = await findTarget(tx, targetType, targetId);
        if (target === null) throw new EngagementTargetNotFoundError(targetType, targetId);
        try {
          await tx
            .insert(engagementEdges)
            .values({
              userId,
              kind,
              targetType,
              targetId,
              present: false,
              hlcWallMs: unwritten.wallMs,
              hlcCounter: unwritten.counter,
              hlcNode: unwritten.node,
            })
            .onConflictDoNothing();
        } catch (error) {
          // foreign_key_violation: the writing user's account is gone.
          if (sqlState(error) === '23503') throw new EngagementTargetNotFoundError('user', userId);
          throw error;
        }
        const [row] = await tx
          .select({
            present: engagementEdges.present,
            wall: engagementEdges.hlcWallMs,
            counter: engagementEdges.hlcCounter,
            node: engagementEdges.hlcNode,
          })
          .from(engagementEdges)
          .where(element)
          .for('update');
        if (row === undefined) throw new Error(`the ${kind} row of user ${userId} vanished`);
        const stored = { present: row.present, hlc: stampOf(row) };

        let applied: boolean;
        let present: boolean;
        if (replacesStored(incoming, stored)) {
          await tx
            .update(engagementEdges)
            .set({
              present: incoming.present,
              hlcWallMs: incoming.hlc.wallMs,
              hlcCounter: incoming.hlc.counter,
              hlcNode: incoming.hlc.node,
              updatedAt: sql`now()`,
            })
            .where(element);
          applied = true;
          present = incoming.present;
          if (present !== stored.present) {
            const delta = present ? 1 : -1;
            await adjust(tx, counter, targetId, delta);
            if (kind === 'follow') await adjust(tx, followingCounter, userId, delta);
            const field = activityField[kind];
            if (field !== null && target.seriesId !== null)
              await bumpSeriesActivity(tx, target.seriesId, field, delta);
          }
        } else {
          // A retry of the winning write is that write: applied, as a retried cmid is its original.
          applied =
            compareStamps(incoming.hlc, stored.hlc) === 0 && incoming.present === stored.present;
          present = stored.present;
        }
        const counts = await countsOf(tx, counter, [targetId]);
        return { applied, present, count: counts.get(targetId) ?? 0 };
      });
    },

    async state(userId, kind, targetType, targetIds) {
      assertId('userId', userId);
      assertKindTarget(kind, targetType);
      if (targetIds.length > maxStateTargets)
        throw new RangeError(`at most ${maxStateTargets} targets at once, got ${targetIds.length}`);
      for (const id of targetIds) assertId('targetId', id);
      const ids = [...new Set(targetIds)];
      if (ids.length === 0) return [];
      const rows = await db
        .select({ targetId: engagementEdges.targetId })
        .from(engagementEdges)
        .where(
          and(
            eq(engagementEdges.userId, userId),
            eq(engagementEdges.kind, kind),
            eq(engagementEdges.targetType, targetType),
            inArray(engagementEdges.targetId, ids),
            eq(engagementEdges.present, true),
          ),
        );
      const present = new Set(rows.map((row) => row.targetId));
      const counts = await countsOf(db, targetCounter(kind, targetType), ids);
      return targetIds.map((targetId) => ({
        targetId,
        present: present.has(targetId),
        count: counts.get(targetId) ?? 0,
      }));
    },

    async list(userId, kind, targetType, cursor, limit) {
      assertId('userId', userId);
      assertKindTarget(kind, targetType);
      assertCursor(cursor);
      assertLimit(limit);
      const rows = await db
        .select({
          id: engagementEdges.targetId,
          wall: engagementEdges.hlcWallMs,
          counter: engagementEdges.hlcCounter,
          node: engagementEdges.hlcNode,
        })
        .from(engagementEdges)
        .where(
          and(
            eq(engagementEdges.userId, userId),
            eq(engagementEdges.kind, kind),
            eq(engagementEdges.targetType, targetType),
            eq(engagementEdges.present, true),
            before(cursor, sql`${engagementEdges.targetId}`),
          ),
        )
        .orderBy(...newestFirst, desc(engagementEdges.targetId))
        .limit(limit + 1);
      return pageOf(rows, limit, (row) => ({ targetId: row.id, hlc: stampOf(row) }));
    },

    async followers(userId, cursor, limit) {
      assertId('userId', userId);
      assertCursor(cursor);
      assertLimit(limit);
      const rows = await db
        .select({
          id: engagementEdges.userId,
          wall: engagementEdges.hlcWallMs,
          counter: engagementEdges.hlcCounter,
          node: engagementEdges.hlcNode,
        })
        .from(engagementEdges)
        .where(
          and(
            eq(engagementEdges.targetType, 'user'),
            eq(engagementEdges.targetId, userId),
            eq(engagementEdges.kind, 'follow'),
            eq(engagementEdges.present, true),
            before(cursor, sql`${engagementEdges.userId}`),
          ),
        )
        .orderBy(...newestFirst, desc(engagementEdges.userId))
        .limit(limit + 1);
      return pageOf(rows, limit, (row) => ({ userId: row.id, hlc: stampOf(row) }));
    },
  };
}

function pageOf<R extends { id: number; wall: number; counter: number; node: string }, T>(
  rows: R[],
  limit: number,
  toItem: (row: R) => T,
): EngagementPage<T> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    next: rows.length > limit && last !== undefined ? { hlc: stampOf(last), id: last.id } : null,
  };
}
