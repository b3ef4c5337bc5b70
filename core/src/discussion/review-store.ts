/**
 * Series reviews: one per user and series, 1 to 5 stars with an optional text (issue 4, item 5).
 *
 * Counting. `series_counters.reviews` and `rating_sum` count the reviews that are not `deleted`,
 * as the comment counts do (comment-store.ts): writing a review adds it, rewriting it adds the
 * difference of the ratings, the first delete takes it away, each in the transaction that changes
 * the row; a moderator's `hidden` leaves them alone. The rating summary viewers see is computed
 * from the visible reviews themselves, so it always matches the list next to it.
 *
 * Orders of a listing (visible reviews only):
 * - `new`: id descending (when the user first reviewed the series; a rewrite keeps its place);
 * - `top`: rating descending, then id descending, keyset on (rating, id). A rating changed
 *   between two page reads can move its review across the cursor, as with hot comments.
 *
 * Implementation: review-store-sql.ts; tests in review-store.test.ts on PGlite and PostgreSQL.
 */
import type { DiscussionAuthor, ReviewOrder, ReviewStatus } from '../protocol/discussion.ts';

export interface ReviewRecord {
  id: number;
  seriesId: number;
  author: DiscussionAuthor;
  rating: number;
  body: string;
  createdAt: Date;
  updatedAt: Date;
  status: ReviewStatus;
}

export type ReviewCursor =
  { order: 'new'; id: number } | { order: 'top'; rating: number; id: number };

export interface ReviewListPage {
  items: ReviewRecord[];
  next: ReviewCursor | null;
}

export interface RatingSummaryRecord {
  /** Mean of the visible ratings rounded to one decimal; null without any. */
  average: number | null;
  count: number;
  /** histogram[0] is the number of 1-star reviews, histogram[4] of 5-star ones. */
  histogram: [number, number, number, number, number];
}

export interface ReviewWrite {
  seriesId: number;
  userId: number;
  /** 1..5. */
  rating: number;
  /** Checked text (protocol/discussion-text.ts) that passed the keyword filter; may be empty. */
  body: string;
}

export interface ReviewActor {
  userId: number;
  admin: boolean;
}

export interface ReviewStore {
  /**
   * Creates the user's review of a series, or replaces its rating and text. `created` is true
   * when there was none (or only a deleted one). A review a moderator hid stays hidden when it is
   * rewritten. SERIES_NOT_FOUND unless the series is published.
   */
  put(input: ReviewWrite): Promise<{ review: ReviewRecord; created: boolean }>;
  /** The user's review of the series unless deleted (a hidden one too: its author sees why). */
  own(seriesId: number, userId: number): Promise<ReviewRecord | null>;
  /**
   * Deletes the user's review of the series; REVIEW_NOT_FOUND when they never wrote one.
   * Idempotent; resolves whether this call deleted it.
   */
  removeOwn(seriesId: number, userId: number): Promise<boolean>;
  /** Deletes a review: its author or an admin, else FORBIDDEN; REVIEW_NOT_FOUND without it. */
  remove(reviewId: number, actor: ReviewActor): Promise<boolean>;
  /** Visible reviews of a published series (SERIES_NOT_FOUND otherwise); blocked authors left out. */
  list(
    seriesId: number,
    options: {
      viewerId: number | null;
      order: ReviewOrder;
      after: ReviewCursor | null;
      limit: number;
    },
  ): Promise<ReviewListPage>;
  /** The rating summary of a published series' visible reviews; SERIES_NOT_FOUND otherwise. */
  summary(seriesId: number): Promise<RatingSummaryRecord>;
}

/** Mean of a histogram's ratings, rounded half up to one decimal (4.25 → 4.3); null when empty. */
export function averageOf(histogram: readonly number[]): number | null {
  let count = 0;
  let sum = 0;
  histogram.forEach((n, i) => {
    count += n;
    sum += n * (i + 1);
  });
  if (count === 0) return null;
  // Integer arithmetic up to the rounding step, so 4.25 is not 4.2499999 in binary.
  return Math.round((sum * 10) / count) / 10;
}
