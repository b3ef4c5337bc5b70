import { and, eq, sql, type SQL } from 'drizzle-orm';
import { isPublishedSeries } from '../catalog/published-series.ts';
import type { Database } from '../db/database.ts';
import { reviews, series, seriesCounters } from '../db/schema.ts';
import type { ReviewStatus } from '../protocol/discussion.ts';
import { levelOf } from '../protocol/progression/levels.ts';
import { DiscussionError } from './discussion-error.ts';
import {
  averageOf,
  type RatingSummaryRecord,
  type ReviewCursor,
  type ReviewRecord,
  type ReviewStore,
} from './review-store.ts';
import { assertId, assertLimit, maxBigId, rowsOf, toDate, toNumber } from './store-input.ts';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
type Executor = Database | Transaction;

/** The policy's 2000 characters can be up to 4 UTF-16 units each; anything longer is a bug. */
const maxBodyUnits = 8000;

interface ReviewRow {
  id: unknown;
  series_id: unknown;
  user_id: unknown;
  display_name: string;
  avatar_url: string | null;
  xp: unknown;
  rating: unknown;
  body: string;
  created_at: unknown;
  updated_at: unknown;
  status: ReviewStatus;
}

const reviewColumns = sql`r.id::text as id, r.series_id, r.user_id, u.display_name, u.avatar_url, u.xp,
  r.rating, r.body, r.created_at, r.updated_at, r.status`;

function toRecord(row: ReviewRow): ReviewRecord {
  return {
    id: toNumber(row.id),
    seriesId: toNumber(row.series_id),
    author: {
      id: toNumber(row.user_id),
      displayName: row.display_name,
      avatarUrl: row.avatar_url,
      level: levelOf(toNumber(row.xp)).level,
    },
    rating: toNumber(row.rating),
    body: row.body,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    status: row.status,
  };
}

async function loadReview(tx: Executor, where: SQL): Promise<ReviewRecord | null> {
  const [row] = await rowsOf<ReviewRow>(
    tx.execute(sql`select ${reviewColumns} from reviews r join users u on u.id = r.user_id
      where ${where}`),
  );
  return row === undefined ? null : toRecord(row);
}

async function assertPublished(tx: Executor, seriesId: number): Promise<void> {
  const [row] = await tx
    .select({ id: series.id })
    .from(series)
    .where(and(eq(series.id, seriesId), isPublishedSeries))
    .limit(1);
  if (row === undefined) throw new DiscussionError('SERIES_NOT_FOUND', `No series ${seriesId}`);
}

/** Adds to the series' review count and rating sum (either may be 0). */
async function countReview(
  tx: Transaction,
  seriesId: number,
  reviewsDelta: number,
  ratingDelta: number,
) {
  if (reviewsDelta === 0 && ratingDelta === 0) return;
  await tx
    .insert(seriesCounters)
    .values({ seriesId, reviews: Math.max(reviewsDelta, 0), ratingSum: Math.max(ratingDelta, 0) })
    .onConflictDoUpdate({
      target: seriesCounters.seriesId,
      set: {
        reviews: sql`greatest(${seriesCounters.reviews} + ${reviewsDelta}, 0)`,
        ratingSum: sql`greatest(${seriesCounters.ratingSum} + ${ratingDelta}, 0)`,
        updatedAt: sql`now()`,
      },
    });
}

interface LockedReview {
  id: number;
  seriesId: number;
  userId: number;
  rating: number;
  status: ReviewStatus;
}

const lockedColumns = {
  id: reviews.id,
  seriesId: reviews.seriesId,
  userId: reviews.userId,
  rating: reviews.rating,
  status: reviews.status,
};

async function deleteLocked(tx: Transaction, review: LockedReview): Promise<boolean> {
  if (review.status === 'deleted') return false;
  await tx
    .update(reviews)
    .set({ status: 'deleted', updatedAt: sql`now()` })
    .where(eq(reviews.id, review.id));
  await countReview(tx, review.seriesId, -1, -review.rating);
  return true;
}

function keysetAfter(cursor: ReviewCursor | null): SQL {
  if (cursor === null) return sql`true`;
  if (cursor.order === 'new') return sql`r.id < ${cursor.id}::bigint`;
  return sql`(r.rating, r.id) < (${cursor.rating}::smallint, ${cursor.id}::bigint)`;
}

function assertRating(name: string, value: number) {
  if (!Number.isInteger(value) || value < 1 || value > 5)
    throw new RangeError(`${name} must be an integer in [1, 5], got ${String(value)}`);
}

/** The ReviewStore over core's Drizzle handle, identical on PGlite and node-postgres. */
export function createSqlReviewStore(db: Database): ReviewStore {
  return {
    async put({ seriesId, userId, rating, body }) {
      assertId('seriesId', seriesId);
      assertId('userId', userId);
      assertRating('rating', rating);
      if (typeof body !== 'string' || body.length > maxBodyUnits)
        throw new RangeError('body must be a checked text');
      return db.transaction(async (tx) => {
        await assertPublished(tx, seriesId);
        const mine = and(eq(reviews.seriesId, seriesId), eq(reviews.userId, userId));
        // Insert-or-nothing first, so that even the first write has a row to lock: two devices
        // writing at once then queue on it, and each adjusts the counts from what the other left.
        const [inserted] = await tx
          .insert(reviews)
          .values({ seriesId, userId, rating, body })
          .onConflictDoNothing({ target: [reviews.seriesId, reviews.userId] })
          .returning({ id: reviews.id });
        let created: boolean;
        if (inserted !== undefined) {
          await countReview(tx, seriesId, 1, rating);
          created = true;
        } else {
          const [stored] = await tx.select(lockedColumns).from(reviews).where(mine).for('update');
          if (stored === undefined) throw new Error(`the review of user ${userId} vanished`);
          const revived = stored.status === 'deleted';
          await tx
            .update(reviews)
            .set({
              rating,
              body,
              updatedAt: sql`now()`,
              ...(revived ? { status: 'visible' as const, createdAt: sql`now()` } : {}),
            })
            .where(eq(reviews.id, stored.id));
          if (revived) await countReview(tx, seriesId, 1, rating);
          else await countReview(tx, seriesId, 0, rating - stored.rating);
          created = revived;
        }
        const review = await loadReview(
          tx,
          sql`r.series_id = ${seriesId}::integer and r.user_id = ${userId}::integer`,
        );
        if (review === null) throw new Error(`the review of user ${userId} vanished`);
        return { review, created };
      });
    },

    async own(seriesId, userId) {
      assertId('seriesId', seriesId);
      assertId('userId', userId);
      return loadReview(
        db,
        sql`r.series_id = ${seriesId}::integer and r.user_id = ${userId}::integer
          and r.status <> 'deleted'`,
      );
    },

    async removeOwn(seriesId, userId) {
      assertId('seriesId', seriesId);
      assertId('userId', userId);
      return db.transaction(async (tx) => {
        const [review] = await tx
          .select(lockedColumns)
          .from(reviews)
          .where(and(eq(reviews.seriesId, seriesId), eq(reviews.userId, userId)))
          .for('update');
        if (review === undefined)
          throw new DiscussionError('REVIEW_NOT_FOUND', `No review of series ${seriesId} by you`);
        return deleteLocked(tx, review);
      });
    },

    async remove(reviewId, actor) {
      assertId('reviewId', reviewId, maxBigId);
      assertId('actor.userId', actor.userId);
      return db.transaction(async (tx) => {
        const [review] = await tx
          .select(lockedColumns)
          .from(reviews)
          .where(eq(reviews.id, reviewId))
          .for('update');
        if (review === undefined)
          throw new DiscussionError('REVIEW_NOT_FOUND', `No review ${reviewId}`);
        if (review.userId !== actor.userId && !actor.admin)
          throw new DiscussionError('FORBIDDEN', `Review ${reviewId} is someone else’s`);
        return deleteLocked(tx, review);
      });
    },

    async list(seriesId, { viewerId, order, after, limit }) {
      assertId('seriesId', seriesId);
      if (viewerId !== null) assertId('viewerId', viewerId);
      if (order !== 'new' && order !== 'top')
        throw new RangeError(`unknown order ${String(order)}`);
      if (after !== null) {
        if (after.order !== order)
          throw new RangeError(`a ${after.order} cursor on a ${order} list`);
        assertId('cursor.id', after.id, maxBigId);
        if (after.order === 'top') assertRating('cursor.rating', after.rating);
      }
      assertLimit(limit);
      await assertPublished(db, seriesId);
      const blocked =
        viewerId === null
          ? sql`true`
          : sql`not exists (select 1 from user_blocks b where b.blocker_id = ${viewerId}::integer
              and b.blocked_id = r.user_id)`;
      const orderBy = order === 'new' ? sql`r.id desc` : sql`r.rating desc, r.id desc`;
      const rows = await rowsOf<ReviewRow>(
        db.execute(sql`select ${reviewColumns} from reviews r join users u on u.id = r.user_id
          where r.series_id = ${seriesId}::integer and r.status = 'visible'
            and ${keysetAfter(after)} and ${blocked}
          order by ${orderBy}
          limit ${limit + 1}`),
      );
      const items = rows.slice(0, limit).map(toRecord);
      const last = items.at(-1);
      let next: ReviewCursor | null = null;
      if (rows.length > limit && last !== undefined)
        next =
          order === 'new' ? { order, id: last.id } : { order, rating: last.rating, id: last.id };
      return { items, next };
    },

    async summary(seriesId): Promise<RatingSummaryRecord> {
      assertId('seriesId', seriesId);
      await assertPublished(db, seriesId);
      const rows = await db
        .select({ rating: reviews.rating, n: sql<unknown>`count(*)` })
        .from(reviews)
        .where(and(eq(reviews.seriesId, seriesId), eq(reviews.status, 'visible')))
        .groupBy(reviews.rating);
      const histogram: [number, number, number, number, number] = [0, 0, 0, 0, 0];
      for (const row of rows) histogram[row.rating - 1] = toNumber(row.n);
      return {
        average: averageOf(histogram),
        count: histogram.reduce((a, b) => a + b, 0),
        histogram,
      };
    },
  };
}
