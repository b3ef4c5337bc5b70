/**
 * A user's notifications: created by the services that react to events (a new episode of a
 * series they follow up, 追剧), pushed live by the realtime gateway over `notify:<userId>`, and kept
 * here as an inbox for when they were offline (issue 4, item 4).
 *
 * Each notification names the event it is about with a dedupe key, unique per user, so a
 * notification is created once per (user, event) however often or in however many processes the
 * event is handled; only the process whose insert created a row pushes it.
 *
 * Implementation: store-sql.ts; tests in store.test.ts run against PGlite and PostgreSQL.
 */

/** Kind of the notification a new episode of a followed-up series produces. */
export const episodeNewKind = 'episode.new';

export interface Notification {
  id: number;
  userId: number;
  /** `[a-z][a-z0-9_.]{0,31}`, as the gateway's notify channel requires. */
  kind: string;
  /** 1..280 characters. */
  text: string;
  /** A same-origin path to open, or null. */
  url: string | null;
  createdAt: Date;
  /** When the user marked it read; null while unread. */
  readAt: Date | null;
}

export interface InboxPage {
  /** Newest first. */
  items: Notification[];
  /** The user's unread notifications in all, not just on this page. */
  unread: number;
  /** The id to pass as the next page's cursor; null on the last page. */
  next: number | null;
}

/** A notification about one event of one user (an achievement, a reply ...). */
export interface NewNotification {
  userId: number;
  /** `[a-z][a-z0-9_.]{0,31}`, as the gateway's notify channel requires. */
  kind: string;
  /** 1..280 characters. */
  text: string;
  url: string | null;
  /** Names the event (`achievement:first_binge`), unique per user: a second create is a no-op. */
  dedupeKey: string;
}

export interface NotificationStore {
  /**
   * Creates one notification unless the user already has one with its dedupe key; resolves to
   * the new row, or null when it existed (so only the creator pushes it). RangeError for a kind,
   * text or key out of shape; a user that does not exist is a foreign-key failure.
   */
  create(notification: NewNotification): Promise<Notification | null>;
  /**
   * Creates an `episode.new` notification for every user with a present follow-up (追剧) on the
   * episode's series, and returns only the rows this call inserted. An episode that does not exist
   * or whose series is not published produces none; a second call for the same episode inserts
   * nothing, since each follower already has the episode's notification.
   */
  notifyFollowersOfEpisode(episodeId: number): Promise<Notification[]>;
  /** A page of `userId`'s notifications, newest first, strictly older than `cursor` (an id). */
  inbox(userId: number, cursor: number | null, limit: number): Promise<InboxPage>;
  /**
   * Marks `userId`'s notifications read: the given ids, or all of them. Ids of other users'
   * notifications are ignored. Resolves to how many became read.
   */
  markRead(userId: number, ids: readonly number[] | 'all'): Promise<number>;
}
