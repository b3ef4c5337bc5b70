/**
 * Wire types of the ranking boards (`GET /api/v1/rankings/{board}`). Browser-safe: no Node
 * imports. How each board scores is core/src/rankings/scores.ts; docs/architecture.md says it too.
 */
import type { SeriesSummary } from './catalog.ts';

/** hot: engagement of the last 7 days, decayed; new: newest published; rating: Bayesian average. */
export const rankingBoards = ['hot', 'new', 'rating'] as const;
export type RankingBoard = (typeof rankingBoards)[number];

/** A series card of a board: the catalog's card, its place and the score it got. */
export interface RankedSeries extends SeriesSummary {
  /** 1 is the top. Ranks of series unpublished since the board was computed are left out. */
  rank: number;
  score: number;
}

export interface RankingPage {
  board: RankingBoard;
  /** The category slug asked for, or null for the board of every category. */
  category: string | null;
  /** When the board was computed (ISO 8601), or null while it holds no series. */
  computedAt: string | null;
  items: RankedSeries[];
}
