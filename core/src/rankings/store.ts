/**
 * The ranking boards (series_rankings): `hot`, `new` and `rating`, each overall (category 0) and
 * per category, precomputed by a refresh and read by rank. The scores are those of scores.ts.
 *
 * A refresh recomputes every board from series_activity_hourly, series and series_counters and
 * replaces them all in one transaction (delete, insert), so a reader sees either the boards before
 * or the boards after, never a mix, and every row of one refresh carries the same `computedAt`.
 * Only published series are ranked. Several processes may call refresh() on one database: a
 * transaction-scoped advisory lock lets one of them work while the others return at once, and
 * `ifOlderThanMs` lets a periodic caller skip a refresh another process has just done.
 *
 * Implementation: store-sql.ts; tests in store.test.ts run against PGlite and PostgreSQL.
 */
import { rankingBoards, type RankingBoard } from '../protocol/rankings.ts';

export { rankingBoards, type RankingBoard };

/** Series kept per board and category: the most any read may ask for. */
export const BOARD_DEPTH = 100;

/** The board of every category at once. */
export const ALL_CATEGORIES = 0;

export interface RefreshOptions {
  /** The time the scores are computed at (and stored as computedAt); the clock's now if omitted. */
  now?: Date;
  /**
   * Skip the refresh when the stored boards were computed less than this long before `now`: the
   * periodic refresh of one of several processes, after another process's refresh.
   */
  ifOlderThanMs?: number;
}

export type RefreshOutcome =
  | {
      refreshed: true;
      computedAt: Date;
      /** Rows written over all boards and categories. */
      rows: number;
    }
  | {
      refreshed: false;
      /** busy: another refresh holds the lock; fresh: the stored boards are recent enough. */
      reason: 'busy' | 'fresh';
      /** When the stored boards were computed, if any are. */
      computedAt: Date | null;
    };

export interface RankedEntry {
  rank: number;
  seriesId: number;
  score: number;
}

export interface BoardSnapshot {
  board: RankingBoard;
  categoryId: number;
  /** null while the board holds no series. */
  computedAt: Date | null;
  /** By rank, best first. */
  entries: RankedEntry[];
}

export interface RankingStore {
  refresh(options?: RefreshOptions): Promise<RefreshOutcome>;
  /** The first `limit` (1..BOARD_DEPTH) entries of a board: one read of the primary key range. */
  read(board: RankingBoard, categoryId: number, limit: number): Promise<BoardSnapshot>;
}
