import { and, asc, eq, max, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { seriesRankings } from '../db/schema.ts';
import {
  BUCKET_MIDPOINT_MS,
  HOT_HALF_LIFE_HOURS,
  HOT_WEIGHTS,
  HOT_WINDOW_HOURS,
  RATING_DEFAULT_MEAN,
  RATING_PRIOR_WEIGHT,
} from './scores.ts';
import {
  ALL_CATEGORIES,
  BOARD_DEPTH,
  rankingBoards,
  type RankingBoard,
  type RankingStore,
  type RefreshOutcome,
} from './store.ts';

/**
 * Arbitrary, fixed key of the advisory lock that makes one refresh at a time across processes
 * (the migrations use 7_460_118_214).
 */
export const REFRESH_LOCK_KEY = 7_460_118_301;

const HOUR_MS = 3_600_000;
const maxId = 2_147_483_647;

/** A numeric constant of scores.ts as an SQL literal: a fixed value, never input. */
function literal(value: number): SQL {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite constant: ${value}`);
  return sql.raw(`${value}::float8`);
}

const published = sql`s.status = 'published' and s.published_at is not null`;

/** Weighted engagement of a series_activity_hourly row `a`, as engagementOf() in scores.ts. */
const engagement = sql.join(
  [
    sql`${literal(HOT_WEIGHTS.views)} * a.views`,
    sql`${literal(HOT_WEIGHTS.likes)} * a.likes`,
    sql`${literal(HOT_WEIGHTS.favourites)} * a.favourites`,
    sql`${literal(HOT_WEIGHTS.followUps)} * a.follow_ups`,
    sql`${literal(HOT_WEIGHTS.shares)} * a.shares`,
    sql`${literal(HOT_WEIGHTS.comments)} * a.comments`,
  ],
  sql` + `,
);

/**
 * One row per published series: (series_id, category_id, published_at, score). Series without a
 * bucket in the window score 0 and stay on the board behind every series with engagement, newest
 * first, so a catalog nobody has touched yet still has a hot board.
 */
export function hotScoresSql(now: Date): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const windowStart = new Date(now.getTime() - HOT_WINDOW_HOURS * HOUR_MS).toISOString();
  const ageMs = sql`extract(epoch from (${at} - a.hour))::float8 * 1000 - ${literal(BUCKET_MIDPOINT_MS)}`;
  const decay = sql`power(2::float8, -greatest(0::float8, ${ageMs}) / ${literal(HOT_HALF_LIFE_HOURS * HOUR_MS)})`;
  return sql`select s.id as series_id, s.category_id, s.published_at,
      greatest(0::float8, coalesce(sum((${engagement}) * ${decay}), 0)) as score
    from series s
    left join series_activity_hourly a on a.series_id = s.id
      and a.hour >= ${windowStart}::timestamptz and a.hour <= ${at}
    where ${published}
    group by s.id`;
}

function newScoresSql(): SQL {
  return sql`select s.id as series_id, s.category_id, s.published_at,
      extract(epoch from s.published_at)::float8 as score
    from series s
    where ${published}`;
}

/** Series with at least one visible review; the prior's mean is the catalog's mean rating. */
function ratingScoresSql(): SQL {
  const weight = literal(RATING_PRIOR_WEIGHT);
  return sql`select s.id as series_id, s.category_id, s.published_at,
      (${weight} * prior.mean + c.rating_sum) / (${weight} + c.reviews) as score
    from series s
    join series_counters c on c.series_id = s.id
    cross join (
      select coalesce(sum(pc.rating_sum)::float8 / nullif(sum(pc.reviews), 0),
        ${literal(RATING_DEFAULT_MEAN)}) as mean
      from series_counters pc join series ps on ps.id = pc.series_id
      where ps.status = 'published' and ps.published_at is not null and pc.reviews > 0
    ) prior
    where ${published} and c.reviews > 0`;
}

const scoresOf: Record<RankingBoard, (now: Date) => SQL> = {
  hot: hotScoresSql,
  new: newScoresSql,
  rating: ratingScoresSql,
};

/** Both drivers answer a raw statement with `{ rows }`; the shared Database type leaves it unknown. */
async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  return ((await result) as { rows: T[] }).rows;
}

type Executor = Pick<Database, 'execute' | 'select'>;

/**
 * The board rows of scored series (series_id, category_id, published_at, score): ranked overall
 * (category 0) and per category, ties to the newer publication then the higher id, the first
 * BOARD_DEPTH of each. Columns: category_id, rank, series_id, score.
 */
export function rankedSql(scores: SQL): SQL {
  const order = sql`order by score desc, published_at desc, series_id desc`;
  // One CTE read twice: PostgreSQL computes the scores once for both rankings.
  return sql`with scored as (${scores})
    select category_id, rank, series_id, score
    from (
      select series_id, ${ALL_CATEGORIES} as category_id, score,
        row_number() over (${order}) as rank
      from scored
      union all
      select series_id, category_id, score,
        row_number() over (partition by category_id ${order}) as rank
      from scored
    ) ranked
    where rank <= ${BOARD_DEPTH}`;
}

/** Inserts one board's rows (the caller deleted the old ones); returns how many. */
async function insertBoard(
  tx: Executor,
  board: RankingBoard,
  scores: SQL,
  now: Date,
): Promise<number> {
  const [row] = await rowsOf<{ n: unknown }>(
    tx.execute(sql`with inserted as (
        insert into series_rankings (board, category_id, rank, series_id, score, computed_at)
        select ${board}, category_id, rank, series_id, score, ${now.toISOString()}::timestamptz
        from (${rankedSql(scores)}) board
        returning 1
      )
      select count(*)::int as n from inserted`),
  );
  return Number(row?.n ?? 0);
}

/** When the stored boards were computed: every row of a refresh carries the same time. */
async function storedComputedAt(tx: Executor): Promise<Date | null> {
  const [row] = await tx
    .select({ at: max(seriesRankings.computedAt) })
    .from(seriesRankings)
    .where(and(eq(seriesRankings.board, 'new'), eq(seriesRankings.categoryId, ALL_CATEGORIES)));
  return row?.at ?? null;
}

function isBoard(value: unknown): value is RankingBoard {
  return typeof value === 'string' && (rankingBoards as readonly string[]).includes(value);
}

/**
 * The RankingStore over core's Drizzle handle, identical on PGlite and node-postgres.
 *
 * A refresh is one transaction: take the advisory lock without waiting (another process that
 * holds it is doing the same work, so there is nothing to wait for), check the stored boards'
 * age, delete every board and insert the new ones, each board one INSERT … SELECT with window
 * functions. PostgreSQL readers see the old rows until the commit (MVCC); PGlite runs one
 * transaction at a time, so its readers wait for the commit instead.
 */
export function createSqlRankingStore(
  db: Database,
  options: { clock?: () => Date } = {},
): RankingStore {
  const clock = options.clock ?? (() => new Date());

  return {
    async refresh(refresh = {}) {
      const now = refresh.now ?? clock();
      if (Number.isNaN(now.getTime())) throw new RangeError('refresh: now is an invalid date');
      const { ifOlderThanMs } = refresh;
      if (ifOlderThanMs !== undefined && !(ifOlderThanMs >= 0))
        throw new RangeError(`ifOlderThanMs must be >= 0, got ${String(ifOlderThanMs)}`);
      return db.transaction(async (tx): Promise<RefreshOutcome> => {
        const [lock] = await rowsOf<{ locked: boolean }>(
          tx.execute(sql`select pg_try_advisory_xact_lock(${REFRESH_LOCK_KEY}::bigint) as locked`),
        );
        if (lock?.locked !== true)
          return { refreshed: false, reason: 'busy', computedAt: await storedComputedAt(tx) };
        const previous = await storedComputedAt(tx);
        if (
          ifOlderThanMs !== undefined &&
          previous !== null &&
          now.getTime() - previous.getTime() < ifOlderThanMs
        )
          return { refreshed: false, reason: 'fresh', computedAt: previous };
        const boards = sql.join(
          rankingBoards.map((board) => sql`${board}`),
          sql`, `,
        );
        await tx.execute(sql`delete from series_rankings where board in (${boards})`);
        let rows = 0;
        for (const board of rankingBoards)
          rows += await insertBoard(tx, board, scoresOf[board](now), now);
        return { refreshed: true, computedAt: now, rows };
      });
    },

    async read(board, categoryId, limit) {
      if (!isBoard(board)) throw new RangeError(`unknown board ${String(board)}`);
      if (!Number.isInteger(categoryId) || categoryId < 0 || categoryId > maxId)
        throw new RangeError(`categoryId must be an integer in [0, ${maxId}]`);
      if (!Number.isInteger(limit) || limit < 1 || limit > BOARD_DEPTH)
        throw new RangeError(`limit must be an integer in [1, ${BOARD_DEPTH}]`);
      const rows = await db
        .select({
          rank: seriesRankings.rank,
          seriesId: seriesRankings.seriesId,
          score: seriesRankings.score,
          computedAt: seriesRankings.computedAt,
        })
        .from(seriesRankings)
        .where(and(eq(seriesRankings.board, board), eq(seriesRankings.categoryId, categoryId)))
        .orderBy(asc(seriesRankings.rank))
        .limit(limit);
      return {
        board,
        categoryId,
        computedAt: rows[0]?.computedAt ?? null,
        entries: rows.map(({ rank, seriesId, score }) => ({ rank, seriesId, score })),
      };
    },
  };
}
