/**
 * Wire types of the discussion HTTP API (`/api/v1`): comments on episodes with one level of
 * replies, comment likes, and series reviews with their rating summary. Browser-safe: no Node
 * imports. The API's route schemas (api/src/discussion/discussion-schemas.ts) are checked at the
 * type level to produce exactly these shapes; the web client reads them.
 *
 * Comment and review ids are the rows' bigserial ids in decimal strings, as danmu and chat message
 * ids are: they can outgrow 32 bits, and a string never loses digits in any JSON reader.
 */

/**
 * `visible`: shown. `deleted`: removed by its author or an admin. `hidden`: removed by a
 * moderator. A deleted or hidden top-level comment that still has visible replies is listed as a
 * placeholder (no author, no body) so the replies keep their thread; otherwise it is left out.
 */
export type CommentStatus = 'visible' | 'hidden' | 'deleted';

export interface DiscussionAuthor {
  id: number;
  displayName: string;
  avatarUrl: string | null;
  /** The author's level, 0 to 6, from their experience (protocol/progression/levels.ts). */
  level: number;
}

export interface Comment {
  id: string;
  episodeId: number;
  /** The top-level comment this reply hangs under; null for a top-level comment. */
  parentId: string | null;
  /** For a reply written under another reply: the user it answers (Douyin's "回复 @name"). */
  replyToUserId: number | null;
  /** null on a placeholder (a deleted or hidden comment kept for its replies). */
  author: DiscussionAuthor | null;
  /** Plain text, never HTML: render it as text. null on a placeholder. */
  body: string | null;
  likes: number;
  /** Replies that were not deleted (a top-level comment's; always 0 on a reply). */
  replies: number;
  /** Whether the signed-in caller liked it; absent for anonymous readers. */
  likedByMe?: boolean;
  createdAt: string;
  status: CommentStatus;
}

/** A top-level comment with its oldest few visible replies inline. */
export interface CommentThread extends Comment {
  firstReplies: Comment[];
}

export type CommentOrder = 'hot' | 'new';

export interface CommentPage {
  items: CommentThread[];
  /** Opaque cursor of the next page, or null at the end. */
  nextCursor: string | null;
}

export interface ReplyPage {
  items: Comment[];
  nextCursor: string | null;
}

/** Body of `POST /episodes/{id}/comments`. */
export interface NewCommentBody {
  /** 1 to 500 characters (grapheme clusters) after trimming; no control characters. */
  body: string;
  /** The comment answered: a top-level comment or a reply (which attaches to its parent). */
  parentId?: string;
  /** Client idempotency key, `[A-Za-z0-9_-]{8,64}`: a retry returns the original comment. */
  cmid: string;
}

/** Answer of `PUT`/`DELETE /comments/{id}/like`. */
export interface CommentLikeState {
  liked: boolean;
  likes: number;
}

export type ReviewStatus = 'visible' | 'hidden' | 'deleted';

export interface Review {
  id: string;
  seriesId: number;
  author: DiscussionAuthor;
  /** 1 to 5 stars. */
  rating: number;
  /** Plain text (possibly empty), never HTML. */
  body: string;
  createdAt: string;
  updatedAt: string;
  status: ReviewStatus;
}

export type ReviewOrder = 'new' | 'top';

export interface ReviewPage {
  items: Review[];
  nextCursor: string | null;
}

/** Body of `PUT /series/{id}/review`. */
export interface ReviewBody {
  rating: number;
  /** 0 to 2000 characters after trimming; empty when left out. */
  body?: string;
}

/** `GET /series/{id}/rating`: over the visible reviews. */
export interface RatingSummary {
  seriesId: number;
  /** Mean rating rounded to one decimal; null without reviews. */
  average: number | null;
  count: number;
  /** Reviews per star rating. */
  histogram: { '1': number; '2': number; '3': number; '4': number; '5': number };
}
