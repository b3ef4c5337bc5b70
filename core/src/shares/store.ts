/**
 * Share links (`shares`): one row per link a viewer (or an anonymous visitor) creates for an
 * episode or a series, and how often people opened it. Creating a link counts a share on the
 * target's counters (series_counters.shares for the series, also episode_counters.shares for an
 * episode) and in its series' hourly activity for the hot ranking, in one transaction. Progression
 * counts a user's shares of a day from these rows, so every create() is a new row.
 *
 * Implementation: store-sql.ts; tests in store.test.ts run against PGlite and PostgreSQL.
 */
import type { ShareChannel, ShareTargetType } from '../protocol/shares.ts';

export interface Share {
  code: string;
  /** null for an anonymous share, or once the sharer's account is deleted. */
  userId: number | null;
  targetType: ShareTargetType;
  targetId: number;
  channel: ShareChannel;
  opens: number;
  createdAt: Date;
}

export interface NewShare {
  userId: number | null;
  targetType: ShareTargetType;
  targetId: number;
  channel: ShareChannel;
}

export interface ShareStore {
  /**
   * A new link with a fresh code. Rejects with {@link ShareTargetNotFoundError} when the target is
   * not a published series or an episode of one, and with RangeError for malformed input.
   */
  create(input: NewShare): Promise<Share>;
  /** The link, or null for an unknown code (a malformed one never reaches SQL). */
  find(code: string): Promise<Share | null>;
  /** Counts one open of the link; its opens after it, or null for an unknown code. */
  recordOpen(code: string): Promise<number | null>;
}

export class ShareTargetNotFoundError extends Error {
  override readonly name = 'ShareTargetNotFoundError';
  constructor(
    readonly targetType: ShareTargetType,
    readonly targetId: number,
  ) {
    super(`${targetType} ${targetId} does not exist`);
  }
}
