import { and, eq, sql, type SQL } from 'drizzle-orm';
import { isPublishedSeries } from '../catalog/published-series.ts';
import type { Database } from '../db/database.ts';
import {
  commentLikes,
  comments,
  episodeCounters,
  episodes,
  series,
  seriesCounters,
} from '../db/schema.ts';
import type { CommentStatus } from '../protocol/discussion.ts';
import { levelOf } from '../protocol/progression/levels.ts';
import { bumpSeriesActivity } from '../rankings/activity.ts';
import {
  inlineReplies,
  type CommentCursor,
  type CommentRecord,
  type CommentStore,
  type CommentThreadRecord,
} from './comment-store.ts';
import { DiscussionError } from './discussion-error.ts';
import {
  assertCount,
  assertId,
  assertLimit,
  maxBigId,
  rowsOf,
  toDate,
  toNumber,
} from './store-input.ts';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
type Executor = Database | Transaction;

const cmidPattern = /^[A-Za-z0-9_-]{8,64}$/;
/** The policy's 500 characters can be up to 4 UTF-16 units each; anything longer is a bug. */
const maxBodyUnits = 2000;

interface CommentRow {
  id: unknown;
  episode_id: unknown;
  parent_id: unknown;
  reply_to_user_id: unknown;
  user_id: unknown;
  display_name: string;
  avatar_url: string | null;
  xp: unknown;
  body: string;
  likes: unknown;
  replies: unknown;
  status: CommentStatus;
  created_at: unknown;
  liked: boolean | null;
}

/**
 * The columns of a comment read through alias `c` (joined to its author as `u`), and whether the
 * viewer liked it: one primary-key probe of comment_likes per row, only when there is a viewer.
 */
function commentColumns(viewerId: number | null): SQL {
  const liked =
    viewerId === null
      ? sql`null::boolean`
      : sql`exists (select 1 from comment_likes l where l.comment_id = c.id
          and l.user_id = ${viewerId}::integer)`;
  return sql`c.id::text as id, c.episode_id, c.parent_id::text as parent_id, c.reply_to_user_id,
    c.user_id, u.display_name, u.avatar_url, u.xp, c.body, c.likes, c.replies, c.status, c.created_at,
    ${liked} as liked`;
}

/** Leaves out authors the viewer blocked (user_blocks); nothing to leave out for anonymous. */
function notBlocked(viewerId: number | null, author: SQL): SQL {
  if (viewerId === null) return sql`true`;
  return sql`not exists (select 1 from user_blocks b where b.blocker_id = ${viewerId}::integer
    and b.blocked_id = ${author})`;
}

/** A deleted or hidden comment keeps its place in a thread but shows neither author nor body. */
function toRecord(row: CommentRow): CommentRecord {
  const visible = row.status === 'visible';
  return {
    id: toNumber(row.id),
    episodeId: toNumber(row.episode_id),
    parentId: row.parent_id === null ? null : toNumber(row.parent_id),
    replyToUserId: row.reply_to_user_id === null ? null : toNumber(row.reply_to_user_id),
    author: visible
      ? {
          id: toNumber(row.user_id),
          displayName: row.display_name,
          avatarUrl: row.avatar_url,
          level: levelOf(toNumber(row.xp)).level,
        }
      : null,
    body: visible ? row.body : null,
    likes: toNumber(row.likes),
    replies: toNumber(row.replies),
    likedByMe: row.liked === null ? null : Boolean(row.liked),
    createdAt: toDate(row.created_at),
    status: row.status,
  };
}

async function loadComment(
  tx: Executor,
  commentId: number,
  viewerId: number | null,
): Promise<CommentRecord> {
  const [row] = await rowsOf<CommentRow>(
    tx.execute(sql`select ${commentColumns(viewerId)}
      from comments c join users u on u.id = c.user_id where c.id = ${commentId}::bigint`),
  );
  if (row === undefined) throw new DiscussionError('COMMENT_NOT_FOUND', `No comment ${commentId}`);
  return toRecord(row);
}

/** The series of an episode viewers can reach (one of a published series), or null. */
async function reachableEpisode(tx: Executor, episodeId: number): Promise<number | null> {
  const [row] = await tx
    .select({ seriesId: episodes.seriesId })
    .from(episodes)
    .innerJoin(series, eq(series.id, episodes.seriesId))
    .where(and(eq(episodes.id, episodeId), isPublishedSeries))
    .limit(1);
  return row?.seriesId ?? null;
}

/** Adds ±1 to the episode's and the series' comment counts and to the hot ranking's bucket. */
async function countComment(
  tx: Transaction,
  episodeId: number,
  seriesId: number,
  delta: 1 | -1,
): Promise<void> {
  if (delta === 1) {
    await tx
      .insert(episodeCounters)
      .values({ episodeId, comments: 1 })
      .onConflictDoUpdate({
        target: episodeCounters.episodeId,
        set: { comments: sql`${episodeCounters.comments} + 1`, updatedAt: sql`now()` },
      });
    await tx
      .insert(seriesCounters)
      .values({ seriesId, comments: 1 })
      .onConflictDoUpdate({
        target: seriesCounters.seriesId,
        set: { comments: sql`${seriesCounters.comments} + 1`, updatedAt: sql`now()` },
      });
  } else {
    // A delete only follows the post that created the row, so greatest() never clamps a
    // consistent count; it keeps a count someone reset by hand from going negative.
    await tx
      .update(episodeCounters)
      .set({ comments: sql`greatest(${episodeCounters.comments} - 1, 0)`, updatedAt: sql`now()` })
      .where(eq(episodeCounters.episodeId, episodeId));
    await tx
      .update(seriesCounters)
      .set({ comments: sql`greatest(${seriesCounters.comments} - 1, 0)`, updatedAt: sql`now()` })
      .where(eq(seriesCounters.seriesId, seriesId));
  }
  await bumpSeriesActivity(tx, seriesId, 'comments', delta);
}

interface LockedComment {
  id: number;
  episodeId: number;
  parentId: number | null;
  userId: number;
  status: CommentStatus;
}

/**
 * Locks a comment row against concurrent deletes and replies (`for no key update`, which still
 * lets likes and replies reference it). Every path locks a reply before its parent, so two
 * transactions never wait on each other in a cycle.
 */
async function lockComment(tx: Transaction, commentId: number): Promise<LockedComment | null> {
  const [row] = await tx
    .select({
      id: comments.id,
      episodeId: comments.episodeId,
      parentId: comments.parentId,
      userId: comments.userId,
      status: comments.status,
    })
    .from(comments)
    .where(eq(comments.id, commentId))
    .for('no key update');
  return row ?? null;
}

function keysetAfter(cursor: CommentCursor | null): SQL {
  if (cursor === null) return sql`true`;
  if (cursor.order === 'new') return sql`c.id < ${cursor.id}::bigint`;
  return sql`(c.likes, c.id) < (${cursor.likes}::integer, ${cursor.id}::bigint)`;
}

function assertCursor(cursor: CommentCursor | null, order: 'new' | 'hot'): void {
  if (cursor === null) return;
  if (cursor.order !== order) throw new RangeError(`a ${cursor.order} cursor on a ${order} list`);
  assertId('cursor.id', cursor.id, maxBigId);
  if (cursor.order === 'hot') assertCount('cursor.likes', cursor.likes);
}

/**
 * The CommentStore over core's Drizzle handle, identical on PGlite and node-postgres. Listing
 * reads are single statements (top-level page, then its inline replies through one LATERAL
 * join), each served by the indexes of the comments table: (episode_id, parent_id, id) for `new`,
 * (episode_id, parent_id, likes, id) for `hot`, (parent_id, id) for replies.
 */
export function createSqlCommentStore(db: Database): CommentStore {
  async function firstRepliesOf(
    parentIds: number[],
    viewerId: number | null,
  ): Promise<Map<number, CommentRecord[]>> {
    const byParent = new Map<number, CommentRecord[]>(parentIds.map((id) => [id, []]));
    if (parentIds.length === 0) return byParent;
    const ids = sql.join(
      parentIds.map((id) => sql`${id}::bigint`),
      sql`, `,
    );
    const rows = await rowsOf<CommentRow>(
      db.execute(sql`select ${commentColumns(viewerId)}
        from unnest(array[${ids}]) as p(id)
        cross join lateral (
          select r.* from comments r
          where r.parent_id = p.id and r.status = 'visible' and ${notBlocked(viewerId, sql`r.user_id`)}
          order by r.id limit ${inlineReplies}
        ) c
        join users u on u.id = c.user_id
        order by c.parent_id, c.id`),
    );
    for (const row of rows) byParent.get(toNumber(row.parent_id))?.push(toRecord(row));
    return byParent;
  }

  return {
    async post(input) {
      const { episodeId, userId, body, parentId, cmid } = input;
      assertId('episodeId', episodeId);
      assertId('userId', userId);
      if (parentId !== null) assertId('parentId', parentId, maxBigId);
      if (typeof body !== 'string' || body.length === 0 || body.length > maxBodyUnits)
        throw new RangeError('body must be a checked, non-empty text');
      if (typeof cmid !== 'string' || !cmidPattern.test(cmid))
        throw new RangeError(`cmid must match ${cmidPattern.source}`);

      return db.transaction(async (tx) => {
        const original = async () => {
          const [row] = await tx
            .select({ id: comments.id, episodeId: comments.episodeId })
            .from(comments)
            .where(and(eq(comments.userId, userId), eq(comments.cmid, cmid)));
          if (row === undefined) return null;
          if (row.episodeId !== episodeId)
            throw new DiscussionError(
              'IDEMPOTENCY_KEY_REUSED',
              `cmid ${cmid} already names comment ${row.id} on episode ${row.episodeId}`,
            );
          return { comment: await loadComment(tx, row.id, userId), created: false };
        };
        // A retry answers with what the first attempt stored, even if the parent is gone since.
        const retried = await original();
        if (retried !== null) return retried;

        const seriesId = await reachableEpisode(tx, episodeId);
        if (seriesId === null)
          throw new DiscussionError('EPISODE_NOT_FOUND', `No episode ${episodeId}`);

        let topId: number | null = null;
        let replyToUserId: number | null = null;
        if (parentId !== null) {
          const named = await lockComment(tx, parentId);
          if (named === null || named.episodeId !== episodeId)
            throw new DiscussionError(
              'REPLY_TARGET_INVALID',
              `Comment ${parentId} is not a comment on episode ${episodeId}`,
            );
          if (named.status !== 'visible')
            throw new DiscussionError('COMMENT_GONE', `Comment ${parentId} is ${named.status}`);
          if (named.parentId === null) {
            topId = named.id;
          } else {
            // One level of replies: an answer to a reply joins its thread and names whom it answers.
            const top = await lockComment(tx, named.parentId);
            if (top === null) throw new Error(`comment ${named.id} lost its parent`);
            if (top.status !== 'visible')
              throw new DiscussionError('COMMENT_GONE', `Comment ${top.id} is ${top.status}`);
            topId = top.id;
            replyToUserId = named.userId;
          }
        }

        const [inserted] = await tx
          .insert(comments)
          .values({ episodeId, userId, parentId: topId, replyToUserId, body, cmid })
          .onConflictDoNothing({ target: [comments.userId, comments.cmid] })
          .returning({ id: comments.id });
        if (inserted === undefined) {
          // A concurrent attempt with the same cmid committed first: answer with its comment.
          const raced = await original();
          if (raced === null) throw new Error(`cmid ${cmid} conflicted but has no comment`);
          return raced;
        }
        await countComment(tx, episodeId, seriesId, 1);
        if (topId !== null)
          await tx
            .update(comments)
            .set({ replies: sql`${comments.replies} + 1` })
            .where(eq(comments.id, topId));
        return { comment: await loadComment(tx, inserted.id, userId), created: true };
      });
    },

    async list(episodeId, { viewerId, order, after, limit }) {
      assertId('episodeId', episodeId);
      if (viewerId !== null) assertId('viewerId', viewerId);
      if (order !== 'new' && order !== 'hot')
        throw new RangeError(`unknown order ${String(order)}`);
      assertCursor(after, order);
      assertLimit(limit);
      if ((await reachableEpisode(db, episodeId)) === null)
        throw new DiscussionError('EPISODE_NOT_FOUND', `No episode ${episodeId}`);

      // `parent_id desc nulls first` sorts nothing (it is null on every row here), but it makes
      // the order exactly a backward scan of (episode_id, parent_id, [likes,] id): `is null` is
      // not an equality to the planner, and without it every page sorts the whole episode.
      const orderBy =
        order === 'new'
          ? sql`c.parent_id desc nulls first, c.id desc`
          : sql`c.parent_id desc nulls first, c.likes desc, c.id desc`;
      // A scalar subquery rather than EXISTS for the placeholder test: under an OR, PostgreSQL
      // may turn EXISTS into one hashed set of every visible reply in the table, built the first
      // time a deleted comment is met; this stays a per-row probe of (parent_id, id).
      const rows = await rowsOf<CommentRow>(
        db.execute(sql`select ${commentColumns(viewerId)}
          from comments c join users u on u.id = c.user_id
          where c.episode_id = ${episodeId}::integer and c.parent_id is null
            and ${keysetAfter(after)}
            and ${notBlocked(viewerId, sql`c.user_id`)}
            and (c.status = 'visible' or (c.replies > 0 and coalesce((
              select true from comments r where r.parent_id = c.id and r.status = 'visible'
                and ${notBlocked(viewerId, sql`r.user_id`)} limit 1), false)))
          order by ${orderBy}
          limit ${limit + 1}`),
      );
      const page = rows.slice(0, limit).map(toRecord);
      const replies = await firstRepliesOf(
        page.map((comment) => comment.id),
        viewerId,
      );
      const items: CommentThreadRecord[] = page.map((comment) => ({
        ...comment,
        firstReplies: replies.get(comment.id) ?? [],
      }));
      const last = page.at(-1);
      let next: CommentCursor | null = null;
      if (rows.length > limit && last !== undefined)
        next = order === 'new' ? { order, id: last.id } : { order, likes: last.likes, id: last.id };
      return { items, next };
    },

    async replies(parentId, { viewerId, after, limit }) {
      assertId('parentId', parentId, maxBigId);
      if (viewerId !== null) assertId('viewerId', viewerId);
      if (after !== null) assertId('after', after, maxBigId);
      assertLimit(limit);
      const [parent] = await db
        .select({ episodeId: comments.episodeId })
        .from(comments)
        .where(eq(comments.id, parentId));
      if (parent === undefined || (await reachableEpisode(db, parent.episodeId)) === null)
        throw new DiscussionError('COMMENT_NOT_FOUND', `No comment ${parentId}`);
      const rows = await rowsOf<CommentRow>(
        db.execute(sql`select ${commentColumns(viewerId)}
          from comments c join users u on u.id = c.user_id
          where c.parent_id = ${parentId}::bigint and c.status = 'visible'
            and ${after === null ? sql`true` : sql`c.id > ${after}::bigint`}
            and ${notBlocked(viewerId, sql`c.user_id`)}
          order by c.id
          limit ${limit + 1}`),
      );
      const items = rows.slice(0, limit).map(toRecord);
      const last = items.at(-1);
      return { items, next: rows.length > limit && last !== undefined ? last.id : null };
    },

    async remove(commentId, actor) {
      assertId('commentId', commentId, maxBigId);
      assertId('actor.userId', actor.userId);
      return db.transaction(async (tx) => {
        const comment = await lockComment(tx, commentId);
        if (comment === null)
          throw new DiscussionError('COMMENT_NOT_FOUND', `No comment ${commentId}`);
        if (comment.userId !== actor.userId && !actor.admin)
          throw new DiscussionError('FORBIDDEN', `Comment ${commentId} is someone else’s`);
        if (comment.status === 'deleted') return false;
        await tx.update(comments).set({ status: 'deleted' }).where(eq(comments.id, commentId));
        const [episode] = await tx
          .select({ seriesId: episodes.seriesId })
          .from(episodes)
          .where(eq(episodes.id, comment.episodeId));
        if (episode === undefined) throw new Error(`comment ${commentId} has no episode`);
        await countComment(tx, comment.episodeId, episode.seriesId, -1);
        if (comment.parentId !== null)
          await tx
            .update(comments)
            .set({ replies: sql`greatest(${comments.replies} - 1, 0)` })
            .where(eq(comments.id, comment.parentId));
        return true;
      });
    },

    async setLike(commentId, userId, liked) {
      assertId('commentId', commentId, maxBigId);
      assertId('userId', userId);
      if (typeof liked !== 'boolean') throw new RangeError('liked must be a boolean');
      return db.transaction(async (tx) => {
        const [comment] = await tx
          .select({ status: comments.status, episodeId: comments.episodeId })
          .from(comments)
          .where(eq(comments.id, commentId));
        const seriesId = comment ? await reachableEpisode(tx, comment.episodeId) : null;
        if (comment === undefined || (liked && seriesId === null))
          throw new DiscussionError('COMMENT_NOT_FOUND', `No comment ${commentId}`);
        if (liked && comment.status !== 'visible')
          throw new DiscussionError('COMMENT_GONE', `Comment ${commentId} is ${comment.status}`);

        const element = and(eq(commentLikes.commentId, commentId), eq(commentLikes.userId, userId));
        const changed = liked
          ? await tx
              .insert(commentLikes)
              .values({ commentId, userId })
              .onConflictDoNothing()
              .returning({ id: commentLikes.commentId })
          : await tx.delete(commentLikes).where(element).returning({ id: commentLikes.commentId });
        if (changed.length === 0) {
          const [row] = await tx
            .select({ likes: comments.likes })
            .from(comments)
            .where(eq(comments.id, commentId));
          return { liked, likes: row?.likes ?? 0 };
        }
        // The row lock of this update queues concurrent likes of one comment, so each adds to
        // what the one before committed and the count equals the set's size.
        const [row] = await tx
          .update(comments)
          .set({
            likes: liked ? sql`${comments.likes} + 1` : sql`greatest(${comments.likes} - 1, 0)`,
          })
          .where(eq(comments.id, commentId))
          .returning({ likes: comments.likes });
        if (seriesId !== null) await bumpSeriesActivity(tx, seriesId, 'likes', liked ? 1 : -1);
        return { liked, likes: row?.likes ?? 0 };
      });
    },
  };
}
