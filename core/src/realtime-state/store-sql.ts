import { and, asc, desc, eq, gt, gte, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { hotScoreSql } from '../catalog/hot-score.ts';
import { isPublishedSeries } from '../catalog/published-series.ts';
import type { Database } from '../db/database.ts';
import {
  chatMessages,
  chatMutes,
  danmu,
  dmMessages,
  dmReceipts,
  episodes,
  mediaAssets,
  series,
  seriesCounters,
  userBlocks,
  users,
  watchProgress,
} from '../db/schema.ts';
import { createProgression, type Progression } from '../progression/progression.ts';
import { beginWatch, createSqlProgressionStore, recordWatch } from '../progression/store-sql.ts';
import { ProgressionUserNotFoundError } from '../progression/store.ts';
import { validateStamp } from '../protocol/crdt/hlc-stamp.ts';
import {
  StoreNotFoundError,
  type ChatRecord,
  type DanmuRecord,
  type DmRecord,
  type FeedEntry,
  type ProgressRecord,
  type RealtimeStore,
  type ReceiptOutcome,
  type Stored,
} from './store.ts';

/** Ids are positive int32 everywhere (docs/protocol.md "Ids"), as the `serial` columns are. */
const maxId = 2_147_483_647;

/**
 * A message id is a bigserial in canonical decimal. Ids past 2^53 would lose precision in the
 * schema's `mode: 'number'` bigint columns, so they cannot name a stored message either.
 */
const midPattern = /^[1-9][0-9]{0,15}$/;

function assertId(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > maxId)
    throw new RangeError(`${name} must be an integer in [1, ${maxId}], got ${String(value)}`);
}

function assertIntIn(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
}

/** `limit + 1` rows are asked for to learn `more`, so the largest limit leaves room for that one. */
function assertLimit(value: number): void {
  assertIntIn('limit', value, 0, maxId - 1);
}

/** The SQLSTATE of a PostgreSQL error, whichever driver raised it and however drizzle wrapped it. */
function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth += 1) {
    const { code, cause } = e as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = cause;
  }
  return undefined;
}

/**
 * Runs a write whose only expected failure is a missing referenced row: foreign_key_violation
 * (SQLSTATE 23503) becomes {@link StoreNotFoundError}, so callers never see a driver's error for it.
 */
async function referencing<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (sqlState(error) === '23503') throw new StoreNotFoundError(`${what} does not exist`);
    throw error;
  }
}

/** Both drivers answer a raw statement with `{ rows }`; the shared Database type leaves it unknown. */
async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  return ((await result) as { rows: T[] }).rows;
}

type DanmuRow = typeof danmu.$inferSelect;
type DmRow = typeof dmMessages.$inferSelect;
type ProgressRow = typeof watchProgress.$inferSelect;

function toDanmu(row: DanmuRow): DanmuRecord {
  return {
    mid: String(row.id),
    episodeId: row.episodeId,
    userId: row.userId,
    text: row.body,
    posMs: row.posMs,
    mode: row.mode as DanmuRecord['mode'],
    colour: row.colour,
    size: row.size as DanmuRecord['size'],
    cmid: row.cmid,
    createdAtMs: row.createdAt.getTime(),
  };
}

function toDm(row: DmRow): DmRecord {
  return {
    mid: String(row.id),
    from: row.senderId,
    to: row.recipientId,
    text: row.body,
    cmid: row.cmid,
    createdAtMs: row.createdAt.getTime(),
  };
}

function toProgress(row: ProgressRow): ProgressRecord {
  return {
    userId: row.userId,
    episodeId: row.episodeId,
    posMs: row.positionMs,
    durMs: row.durationMs,
    hlc: { wallMs: row.hlcWallMs, counter: row.hlcCounter, node: row.hlcNode },
  };
}

/**
 * The LWW order of progress rows: the HLC stamp (wall, counter, node) as compareStamps in
 * core/src/protocol/crdt/hlc-stamp.ts orders it, node ids by byte (`COLLATE "C"`: a database's
 * default collation may be a locale that orders `_` and `-` otherwise). Equal stamps fall back to
 * the value (duration, then position) as mergeRegister does with compareCanonical on the client's
 * `{ positionMs, durationMs }` (sorted keys), so even a replica that reuses a stamp cannot make
 * the winner depend on arrival order.
 */
function progressOrder(row: {
  wall: SQL | number;
  counter: SQL | number;
  node: SQL | string;
  dur: SQL | number;
  pos: SQL | number;
}): SQL {
  return sql`(${row.wall}, ${row.counter}, ${row.node} collate "C", ${row.dur}, ${row.pos})`;
}

/** Share of an episode's duration from which the feed treats it as watched and moves on. */
const FINISHED_NUMERATOR = 19;
const FINISHED_DENOMINATOR = 20;

export interface SqlRealtimeStoreOptions {
  /**
   * Where stored danmu and watch progress earn experience, watch time and achievements
   * (core/src/progression); one over the same database, pushing nothing live, when not given.
   */
  progression?: Progression;
}

/**
 * The RealtimeStore over core's Drizzle handle, identical on PGlite and node-postgres.
 *
 * Idempotent writes are `insert ... on conflict do nothing` on the (user, cmid) unique index,
 * followed by a read of the original when nothing was inserted: a concurrent retry waits on the
 * index entry of the first, then finds its committed row, so both answer the same `mid`.
 */
export function createSqlRealtimeStore(
  db: Database,
  options: SqlRealtimeStoreOptions = {},
): RealtimeStore {
  const progression =
    options.progression ?? createProgression({ store: createSqlProgressionStore(db) });

  /**
   * An episode is playable exactly when the playback endpoint (api/src/playback) would serve it:
   * the episode is ready and its published asset (belonging to that episode) is ready with a
   * master playlist. The feed offers nothing the player would refuse.
   */
  function playable(episode: {
    id: AnyPgColumn;
    status: AnyPgColumn;
    mediaAssetId: AnyPgColumn;
  }): SQL {
    return sql`${episode.status} = 'ready' and exists (select 1 from ${mediaAssets}
      where ${mediaAssets.id} = ${episode.mediaAssetId} and ${mediaAssets.episodeId} = ${episode.id}
        and ${mediaAssets.status} = 'ready' and ${mediaAssets.masterKey} is not null)`;
  }

  async function danmuByCmid(userId: number, cmid: string): Promise<DanmuRow | undefined> {
    const [row] = await db
      .select()
      .from(danmu)
      .where(and(eq(danmu.userId, userId), eq(danmu.cmid, cmid)))
      .limit(1);
    return row;
  }

  const chatColumns = {
    id: chatMessages.id,
    roomId: chatMessages.roomId,
    userId: chatMessages.userId,
    name: users.displayName,
    body: chatMessages.body,
    cmid: chatMessages.cmid,
    createdAt: chatMessages.createdAt,
  };

  function toChat(row: {
    id: number;
    roomId: number;
    userId: number;
    name: string;
    body: string;
    cmid: string;
    createdAt: Date;
  }): ChatRecord {
    return {
      mid: String(row.id),
      roomId: row.roomId,
      userId: row.userId,
      name: row.name,
      text: row.body,
      cmid: row.cmid,
      createdAtMs: row.createdAt.getTime(),
    };
  }

  async function chatWhere(condition: SQL | undefined): Promise<ChatRecord | undefined> {
    const [row] = await db
      .select(chatColumns)
      .from(chatMessages)
      .innerJoin(users, eq(users.id, chatMessages.userId))
      .where(condition)
      .limit(1);
    return row === undefined ? undefined : toChat(row);
  }

  /** An active mute: lifted never (`until` null) or later than now. */
  const activeMute = (roomId: number, userId: number) =>
    and(
      eq(chatMutes.roomId, roomId),
      eq(chatMutes.userId, userId),
      or(isNull(chatMutes.until), gt(chatMutes.until, sql`now()`)),
    );

  async function recordDanmu(userId: number): Promise<void> {
    try {
      await progression.record({ kind: 'danmu', userId });
    } catch (error) {
      if (error instanceof ProgressionUserNotFoundError)
        throw new StoreNotFoundError(`user ${userId} is gone`);
      throw error;
    }
  }

  return {
    async episodeExists(episodeId) {
      assertId('episodeId', episodeId);
      const rows = await db
        .select({ id: episodes.id })
        .from(episodes)
        .where(eq(episodes.id, episodeId))
        .limit(1);
      return rows.length > 0;
    },

    async roomExists(roomId) {
      assertId('roomId', roomId);
      const rows = await db
        .select({ id: series.id })
        .from(series)
        .where(and(eq(series.id, roomId), isPublishedSeries))
        .limit(1);
      return rows.length > 0;
    },

    async userExists(userId) {
      assertId('userId', userId);
      const rows = await db
        .select({ id: users.id })
        .from(users)
        .where(eq(users.id, userId))
        .limit(1);
      return rows.length > 0;
    },

    async displayName(userId) {
      assertId('userId', userId);
      const [row] = await db
        .select({ name: users.displayName })
        .from(users)
        .where(eq(users.id, userId))
        .limit(1);
      return row?.name ?? null;
    },

    async addDanmu(input) {
      assertId('episodeId', input.episodeId);
      assertId('userId', input.userId);
      assertIntIn('posMs', input.posMs, 0, maxId);
      const [inserted] = await referencing(
        `episode ${input.episodeId} or user ${input.userId}`,
        () =>
          db
            .insert(danmu)
            .values({
              episodeId: input.episodeId,
              userId: input.userId,
              body: input.text,
              posMs: input.posMs,
              mode: input.mode,
              colour: input.colour,
              size: input.size,
              cmid: input.cmid,
            })
            .onConflictDoNothing({ target: [danmu.userId, danmu.cmid] })
            .returning(),
      );
      // A retry records again too: recording reads the stored danmu, so it grants nothing twice,
      // and it makes up for a first attempt that stored the danmu but failed before recording.
      if (inserted !== undefined) {
        await recordDanmu(input.userId);
        return { record: toDanmu(inserted), duplicate: false };
      }
      const original = await danmuByCmid(input.userId, input.cmid);
      // The conflicting row can only vanish by a cascade from its episode or user being deleted.
      if (original === undefined)
        throw new StoreNotFoundError(`episode ${input.episodeId} or user ${input.userId} is gone`);
      await recordDanmu(input.userId);
      return { record: toDanmu(original), duplicate: true };
    },

    async danmuWindow(episodeId, fromMs, toMs, limit, afterMid) {
      assertId('episodeId', episodeId);
      assertIntIn('fromMs', fromMs, -maxId, maxId);
      assertIntIn('toMs', toMs, -maxId, maxId);
      assertLimit(limit);
      let after: number | null = null;
      if (afterMid !== undefined) {
        if (!/^[1-9][0-9]{0,15}$/.test(afterMid) || !Number.isSafeInteger(Number(afterMid))) {
          throw new RangeError('afterMid must be a message id');
        }
        after = Number(afterMid);
      }
      // Keyset paging on (pos_ms, id): a page continues after the last entry it returned, even
      // when more danmu than a page share one position.
      const start =
        after === null
          ? gte(danmu.posMs, fromMs)
          : or(gt(danmu.posMs, fromMs), and(eq(danmu.posMs, fromMs), gt(danmu.id, after)));
      // A danmu a moderator hid is left out of every replay (api/src/moderation).
      const rows = await db
        .select()
        .from(danmu)
        .where(
          and(
            eq(danmu.episodeId, episodeId),
            start,
            lte(danmu.posMs, toMs),
            isNull(danmu.hiddenAt),
          ),
        )
        .orderBy(asc(danmu.posMs), asc(danmu.id))
        .limit(limit + 1);
      return { records: rows.slice(0, limit).map(toDanmu), more: rows.length > limit };
    },

    async addChat(input) {
      assertId('roomId', input.roomId);
      assertId('userId', input.userId);
      // One statement checks the room and the mute and inserts, so a mute that committed before
      // it is always seen. A draft series is no room (roomExists), even though the row exists.
      const inserted = await referencing(`user ${input.userId}`, () =>
        rowsOf<{ id: string }>(
          db.execute(sql`insert into ${chatMessages} (room_id, user_id, body, cmid)
            select ${input.roomId}::integer, ${input.userId}::integer, ${input.text}::text, ${input.cmid}::text
            from ${series}
            where ${and(eq(series.id, input.roomId), isPublishedSeries)}
              and not exists (select 1 from ${chatMutes} where ${activeMute(input.roomId, input.userId)})
            on conflict (user_id, cmid) do nothing
            returning id::text as id`),
        ),
      ).then((rows) => rows[0]);
      const byCmid = and(eq(chatMessages.userId, input.userId), eq(chatMessages.cmid, input.cmid));
      const stored = await chatWhere(
        inserted !== undefined ? eq(chatMessages.id, Number(inserted.id)) : byCmid,
      );
      if (stored !== undefined) return { record: stored, duplicate: inserted === undefined };
      // Nothing inserted and no original (an accepted cmid stays accepted after a mute): find why.
      const mutes = await db
        .select({ until: chatMutes.until })
        .from(chatMutes)
        .where(activeMute(input.roomId, input.userId))
        .limit(1);
      if (mutes.length > 0) return 'muted';
      throw new StoreNotFoundError(`chat room ${input.roomId} does not exist`);
    },

    async recentChat(roomId, limit) {
      assertId('roomId', roomId);
      assertLimit(limit);
      const rows = await db
        .select(chatColumns)
        .from(chatMessages)
        .innerJoin(users, eq(users.id, chatMessages.userId))
        .where(and(eq(chatMessages.roomId, roomId), isNull(chatMessages.hiddenAt)))
        .orderBy(desc(chatMessages.id))
        .limit(limit);
      return rows.reverse().map(toChat);
    },

    async addDm(input): Promise<Stored<DmRecord> | 'blocked' | 'notFound'> {
      assertId('from', input.from);
      assertId('to', input.to);
      if (input.from === input.to) throw new RangeError(`a DM needs two users, got ${input.from}`);
      return referencing(`user ${input.from}`, () =>
        db.transaction(async (tx) => {
          const byCmid = and(eq(dmMessages.senderId, input.from), eq(dmMessages.cmid, input.cmid));
          // The original first: a retry of an accepted message stays accepted after a block.
          const [original] = await tx.select().from(dmMessages).where(byCmid).limit(1);
          if (original !== undefined) return { record: toDm(original), duplicate: true };
          const [recipient] = await tx
            .select({
              blocked: sql<boolean>`exists (select 1 from ${userBlocks}
                where ${userBlocks.blockerId} = ${input.to} and ${userBlocks.blockedId} = ${input.from})`,
            })
            .from(users)
            .where(eq(users.id, input.to));
          if (recipient === undefined) return 'notFound';
          if (recipient.blocked) return 'blocked';
          const [inserted] = await tx
            .insert(dmMessages)
            .values({
              senderId: input.from,
              recipientId: input.to,
              body: input.text,
              cmid: input.cmid,
            })
            .onConflictDoNothing({ target: [dmMessages.senderId, dmMessages.cmid] })
            .returning();
          if (inserted !== undefined) return { record: toDm(inserted), duplicate: false };
          // A concurrent retry inserted it first; its row is committed once our insert returns.
          const [raced] = await tx.select().from(dmMessages).where(byCmid).limit(1);
          if (raced === undefined) throw new StoreNotFoundError(`user ${input.from} is gone`);
          return { record: toDm(raced), duplicate: true };
        }),
      );
    },

    async receipt(readerId, mid, kind): Promise<ReceiptOutcome> {
      assertId('readerId', readerId);
      if (kind !== 'delivered' && kind !== 'read')
        throw new RangeError(`kind must be delivered or read, got ${String(kind)}`);
      if (typeof mid !== 'string' || !midPattern.test(mid) || Number(mid) > Number.MAX_SAFE_INTEGER)
        return { kind: 'notFound' };
      const upTo = Number(mid);
      const [message] = await db
        .select({ senderId: dmMessages.senderId })
        .from(dmMessages)
        .where(and(eq(dmMessages.id, upTo), eq(dmMessages.recipientId, readerId)))
        .limit(1);
      if (message === undefined) return { kind: 'notFound' };
      const peerId = message.senderId;
      // Cumulative marks only move up (GREATEST), and reading implies delivery, so a 'read' raises
      // both. The update runs only when the mark of this kind advances: no row back, no change.
      const advances =
        kind === 'read'
          ? sql`${dmReceipts.readUpTo} < excluded.read_up_to`
          : sql`${dmReceipts.deliveredUpTo} < excluded.delivered_up_to`;
      const advanced = await referencing(`user ${readerId} or ${peerId}`, () =>
        db
          .insert(dmReceipts)
          .values({ readerId, peerId, deliveredUpTo: upTo, readUpTo: kind === 'read' ? upTo : 0 })
          .onConflictDoUpdate({
            target: [dmReceipts.readerId, dmReceipts.peerId],
            set: {
              deliveredUpTo: sql`greatest(${dmReceipts.deliveredUpTo}, excluded.delivered_up_to)`,
              readUpTo: sql`greatest(${dmReceipts.readUpTo}, excluded.read_up_to)`,
              updatedAt: sql`now()`,
            },
            setWhere: advances,
          })
          .returning({ peerId: dmReceipts.peerId }),
      );
      return advanced.length > 0
        ? { kind: 'advanced', peerId, mid }
        : { kind: 'unchanged', peerId };
    },

    async recentDms(userId, limit) {
      assertId('userId', userId);
      assertLimit(limit);
      const rows = await db
        .select()
        .from(dmMessages)
        .where(or(eq(dmMessages.senderId, userId), eq(dmMessages.recipientId, userId)))
        .orderBy(desc(dmMessages.id))
        .limit(limit);
      return rows.reverse().map(toDm);
    },

    async block(blockerId, blockedId) {
      assertId('blockerId', blockerId);
      assertId('blockedId', blockedId);
      if (blockerId === blockedId) throw new RangeError(`user ${blockerId} cannot block themself`);
      await referencing(`user ${blockerId} or ${blockedId}`, () =>
        db.insert(userBlocks).values({ blockerId, blockedId }).onConflictDoNothing(),
      );
    },

    async unblock(blockerId, blockedId) {
      assertId('blockerId', blockerId);
      assertId('blockedId', blockedId);
      await db
        .delete(userBlocks)
        .where(and(eq(userBlocks.blockerId, blockerId), eq(userBlocks.blockedId, blockedId)));
    },

    async isBlocked(blockerId, blockedId) {
      assertId('blockerId', blockerId);
      assertId('blockedId', blockedId);
      const rows = await db
        .select({ blockerId: userBlocks.blockerId })
        .from(userBlocks)
        .where(and(eq(userBlocks.blockerId, blockerId), eq(userBlocks.blockedId, blockedId)))
        .limit(1);
      return rows.length > 0;
    },

    async blockedUsers(blockerId, limit) {
      assertId('blockerId', blockerId);
      assertLimit(limit);
      const rows = await db
        .select({ userId: userBlocks.blockedId, createdAt: userBlocks.createdAt })
        .from(userBlocks)
        .where(eq(userBlocks.blockerId, blockerId))
        .orderBy(desc(userBlocks.createdAt), desc(userBlocks.blockedId))
        .limit(limit);
      return rows.map((row) => ({ userId: row.userId, blockedAtMs: row.createdAt.getTime() }));
    },

    async writeProgress(write) {
      assertId('userId', write.userId);
      assertId('episodeId', write.episodeId);
      assertIntIn('durMs', write.durMs, 0, maxId);
      assertIntIn('posMs', write.posMs, 0, write.durMs);
      const checked = validateStamp(write.hlc);
      if (!checked.ok) throw new RangeError(`hlc: ${checked.reason}`);
      const hlc = checked.stamp;
      const values = {
        userId: write.userId,
        episodeId: write.episodeId,
        positionMs: write.posMs,
        durationMs: write.durMs,
        hlcWallMs: hlc.wallMs,
        hlcCounter: hlc.counter,
        hlcNode: hlc.node,
      };
      // One transaction: lock the user and read the register (beginWatch), then one statement
      // decides the LWW write, and an applied write credits the watch time it proves
      // (recordWatch). Concurrent writers of a user serialise on the user's lock, and each
      // compares against whatever the one before it committed, so the highest stamp wins in
      // every interleaving and no forward move is credited twice.
      const outcome = await referencing(`episode ${write.episodeId} or user ${write.userId}`, () =>
        db.transaction(async (tx) => {
          let before;
          try {
            before = await beginWatch(tx, write.userId, write.episodeId);
          } catch (error) {
            if (error instanceof ProgressionUserNotFoundError)
              throw new StoreNotFoundError(`user ${write.userId} does not exist`);
            throw error;
          }
          const [applied] = await tx
            .insert(watchProgress)
            .values(values)
            .onConflictDoUpdate({
              target: [watchProgress.userId, watchProgress.episodeId],
              set: {
                positionMs: sql`excluded.position_ms`,
                durationMs: sql`excluded.duration_ms`,
                hlcWallMs: sql`excluded.hlc_wall_ms`,
                hlcCounter: sql`excluded.hlc_counter`,
                hlcNode: sql`excluded.hlc_node`,
                updatedAt: sql`now()`,
              },
              setWhere: sql`${progressOrder({
                wall: sql`excluded.hlc_wall_ms`,
                counter: sql`excluded.hlc_counter`,
                node: sql`excluded.hlc_node`,
                dur: sql`excluded.duration_ms`,
                pos: sql`excluded.position_ms`,
              })} > ${progressOrder({
                wall: sql`${watchProgress.hlcWallMs}`,
                counter: sql`${watchProgress.hlcCounter}`,
                node: sql`${watchProgress.hlcNode}`,
                dur: sql`${watchProgress.durationMs}`,
                pos: sql`${watchProgress.positionMs}`,
              })}`,
            })
            .returning();
          if (applied !== undefined) {
            const watched = await recordWatch(tx, before, {
              posMs: write.posMs,
              durMs: write.durMs,
            });
            return { winner: toProgress(applied), applied: true, watched } as const;
          }
          const [stored] = await tx
            .select()
            .from(watchProgress)
            .where(
              and(
                eq(watchProgress.userId, write.userId),
                eq(watchProgress.episodeId, write.episodeId),
              ),
            )
            .limit(1);
          if (stored === undefined)
            throw new StoreNotFoundError(
              `episode ${write.episodeId} or user ${write.userId} is gone`,
            );
          return { winner: toProgress(stored), applied: false, watched: null } as const;
        }),
      );
      if (outcome.applied) {
        await progression.announce(outcome.watched);
        return { winner: outcome.winner, applied: true };
      }
      const winner = outcome.winner;
      // A retry of the write that already holds the register is that write: report it applied, as
      // a retried cmid reports its original, rather than as lost to a newer stamp.
      const same =
        winner.posMs === values.positionMs &&
        winner.durMs === values.durationMs &&
        winner.hlc.wallMs === hlc.wallMs &&
        winner.hlc.counter === hlc.counter &&
        winner.hlc.node === hlc.node;
      return { winner, applied: same };
    },

    async progressOf(userId, limit) {
      assertId('userId', userId);
      assertLimit(limit);
      const rows = await db
        .select()
        .from(watchProgress)
        .where(eq(watchProgress.userId, userId))
        .orderBy(desc(watchProgress.updatedAt), desc(watchProgress.episodeId))
        .limit(limit);
      return rows.map(toProgress);
    },

    async feedPage(viewerId, offset, limit, now) {
      if (viewerId !== null) assertId('viewerId', viewerId);
      assertIntIn('offset', offset, 0, maxId);
      assertLimit(limit);
      if (!(now instanceof Date) || Number.isNaN(now.getTime()))
        throw new RangeError('now must be a valid Date');

      // Per series, the viewer's most recently updated progress row decides where to resume: the
      // lowest playable episode numbered at least that one when unfinished (< 95 %), else after it.
      const touched = alias(episodes, 'touched_episode');
      const resume = db.$with('resume').as(
        db
          .selectDistinctOn([touched.seriesId], {
            seriesId: touched.seriesId,
            fromNumber: sql<number>`${touched.number} + case when
              ${watchProgress.positionMs}::bigint * ${FINISHED_DENOMINATOR}
                < ${watchProgress.durationMs}::bigint * ${FINISHED_NUMERATOR}
              then 0 else 1 end`.as('from_number'),
          })
          .from(watchProgress)
          .innerJoin(touched, eq(touched.id, watchProgress.episodeId))
          .where(viewerId === null ? sql`false` : eq(watchProgress.userId, viewerId))
          .orderBy(
            touched.seriesId,
            desc(watchProgress.updatedAt),
            desc(watchProgress.hlcWallMs),
            desc(watchProgress.hlcCounter),
            desc(touched.number),
          ),
      );
      const first = alias(episodes, 'first_episode');
      const firstPlayable = db
        .select({ id: first.id })
        .from(first)
        .where(and(eq(first.seriesId, series.id), playable(first)))
        .orderBy(asc(first.number))
        .limit(1)
        .as('first_playable');
      const next = alias(episodes, 'resume_episode');
      const resumePlayable = db
        .select({ id: next.id })
        .from(next)
        .where(
          and(eq(next.seriesId, series.id), gte(next.number, resume.fromNumber), playable(next)),
        )
        .orderBy(asc(next.number))
        .limit(1)
        .as('resume_playable');

      const rows = await db
        .with(resume)
        .select({
          seriesId: series.id,
          episodeId: sql<number>`coalesce(${resumePlayable.id}, ${firstPlayable.id})`.mapWith(
            Number,
          ),
        })
        .from(series)
        .innerJoinLateral(firstPlayable, sql`true`)
        .leftJoin(seriesCounters, eq(seriesCounters.seriesId, series.id))
        .leftJoin(resume, eq(resume.seriesId, series.id))
        .leftJoinLateral(resumePlayable, sql`true`)
        .where(isPublishedSeries)
        .orderBy(desc(hotScoreSql(now)), desc(series.id))
        .offset(offset)
        .limit(limit + 1);
      const entries: FeedEntry[] = rows
        .slice(0, limit)
        .map((row) => ({ episodeId: row.episodeId, seriesId: row.seriesId }));
      return { entries, more: rows.length > limit };
    },
  };
}
