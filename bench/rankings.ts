/**
 * Hot-ranking refresh over a million engagement events, on PostgreSQL and on PGlite, beside the
 * naive way of computing the same board.
 *
 * Generates EVENTS engagement events (views, likes, favourites, follow-ups, shares, comments) over
 * SERIES published series in 10 categories and the last 7 days, with a skewed popularity (a few
 * series draw most of the events, as on a real catalog). The same seeded events go into each
 * database twice: raw, one row per event, into a temporary table (the peer), and aggregated into
 * series_activity_hourly, the hourly buckets the refresh reads. Then, RUNS times each:
 *
 *   - hot board from buckets: the refresh's hot query (scores, overall and per-category ranks,
 *     top 100 of each), without writing;
 *   - hot board from raw events: the same query with the same weights and half-life over the
 *     per-event table, each event decayed by its own age (the naive way);
 *   - full refresh: RankingStore.refresh(), all three boards computed and replaced in one
 *     transaction, as the 30-second timer runs it.
 *
 * Prints the medians, the ratios, and how far the two hot boards agree (bucketing shifts each
 * event's age by at most 30 minutes, so the boards may differ where scores are within ~1.5 %).
 *
 *   npm run bench:rankings            # 1,000,000 events, 2,000 series, 5 runs
 *   npm run bench:rankings -- --quick # 100,000 events, 200 series, 3 runs
 */
import { performance } from 'node:perf_hooks';
import { sql, type SQL } from 'drizzle-orm';
import type { Database, DatabaseHandle } from '@binge/core/db';
import { openTestDatabase } from '@binge/core/db/testing';
import { categories, series } from '@binge/core/db/schema';
import { seededRandom } from '@binge/core/protocol/crdt/seeded-random';
import { HOT_HALF_LIFE_HOURS, HOT_WEIGHTS, HOT_WINDOW_HOURS } from '@binge/core/rankings/scores';
import { createSqlRankingStore, hotScoresSql, rankedSql } from '@binge/core/rankings/store-sql';

const quick = process.argv.includes('--quick');
const EVENTS = quick ? 100_000 : 1_000_000;
const SERIES = quick ? 200 : 2_000;
const CATEGORIES = 10;
const RUNS = quick ? 3 : 5;
const HOUR = 3_600_000;
const CHUNK = 50_000;

/** Activity fields in the order of the raw table's `kind` column, and how often each happens. */
const kinds = [
  ['views', 0.7],
  ['likes', 0.15],
  ['favourites', 0.04],
  ['followUps', 0.03],
  ['shares', 0.04],
  ['comments', 0.04],
] as const;
const columnOf = {
  views: 'views',
  likes: 'likes',
  favourites: 'favourites',
  followUps: 'follow_ups',
  shares: 'shares',
  comments: 'comments',
} as const;

interface Events {
  seriesIndex: Int32Array;
  at: Float64Array;
  kind: Uint8Array;
}

/** The same events for every database: seeded, so each run of the script measures the same data. */
function generateEvents(now: number): Events {
  const random = seededRandom(20_260_301);
  const events: Events = {
    seriesIndex: new Int32Array(EVENTS),
    at: new Float64Array(EVENTS),
    kind: new Uint8Array(EVENTS),
  };
  const cumulative: number[] = [];
  let total = 0;
  for (const [, share] of kinds) cumulative.push((total += share));
  for (let i = 0; i < EVENTS; i += 1) {
    // r^3 skews towards index 0: the top 1 % of series draw about a fifth of the events.
    events.seriesIndex[i] = Math.min(SERIES - 1, Math.floor(SERIES * random.next() ** 3));
    events.at[i] = now - random.next() * HOT_WINDOW_HOURS * HOUR;
    const k = random.next() * total;
    events.kind[i] = cumulative.findIndex((edge) => k < edge);
  }
  return events;
}

async function rowsOf<T>(db: Database, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

async function seedCatalog(db: Database): Promise<number[]> {
  const categoryIds: number[] = [];
  for (let c = 0; c < CATEGORIES; c += 1) {
    const [row] = await db
      .insert(categories)
      .values({ slug: `bench-${c}`, nameEn: `Category ${c}`, nameZh: `类别 ${c}` })
      .returning({ id: categories.id });
    categoryIds.push(row!.id);
  }
  const ids: number[] = [];
  const start = Date.now() - 60 * 24 * HOUR;
  for (let from = 0; from < SERIES; from += 1000) {
    const rows = await db
      .insert(series)
      .values(
        Array.from({ length: Math.min(1000, SERIES - from) }, (_, j) => {
          const n = from + j;
          return {
            slug: `bench-series-${n}`,
            titleEn: `Series ${n}`,
            titleZh: `剧 ${n}`,
            synopsisEn: '',
            synopsisZh: '',
            categoryId: categoryIds[n % CATEGORIES]!,
            status: 'published' as const,
            publishedAt: new Date(start + n * 60_000),
          };
        }),
      )
      .returning({ id: series.id });
    ids.push(...rows.map((row) => row.id));
  }
  return ids;
}

/** Raw events into the peer's table, then aggregated into the hourly buckets; both timed. */
async function load(db: Database, events: Events, seriesIds: number[]) {
  await db.execute(sql`create table bench_events (
    series_id integer not null, at timestamptz not null, kind smallint not null)`);
  const rawStart = performance.now();
  for (let from = 0; from < EVENTS; from += CHUNK) {
    const to = Math.min(EVENTS, from + CHUNK);
    const ids: number[] = [];
    const ats: string[] = [];
    const ks: number[] = [];
    for (let i = from; i < to; i += 1) {
      ids.push(seriesIds[events.seriesIndex[i]!]!);
      ats.push(new Date(events.at[i]!).toISOString());
      ks.push(events.kind[i]!);
    }
    await db.execute(sql`insert into bench_events (series_id, at, kind)
      select * from unnest(${`{${ids.join(',')}}`}::int[], ${`{${ats.join(',')}}`}::timestamptz[],
        ${`{${ks.join(',')}}`}::smallint[])`);
  }
  const rawMs = performance.now() - rawStart;
  await db.execute(sql`create index bench_events_at_idx on bench_events (at)`);

  const bucketStart = performance.now();
  const counts = sql.join(
    kinds.map((_, k) => sql`count(*) filter (where kind = ${sql.raw(String(k))})`),
    sql`, `,
  );
  const columns = sql.raw(kinds.map(([field]) => columnOf[field]).join(', '));
  await db.execute(sql`insert into series_activity_hourly (series_id, hour, ${columns})
    select series_id, date_trunc('hour', at, 'UTC'), ${counts}
    from bench_events group by 1, 2`);
  const bucketMs = performance.now() - bucketStart;
  await db.execute(sql`analyze bench_events`);
  await db.execute(sql`analyze series_activity_hourly`);
  const [row] = await rowsOf<{ n: number }>(
    db,
    sql`select count(*)::int as n from series_activity_hourly`,
  );
  return { rawMs, bucketMs, buckets: row!.n };
}

/** The hot scores computed from the raw events: each event decayed by its own age. */
function naiveHotScoresSql(now: Date): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const windowStart = new Date(now.getTime() - HOT_WINDOW_HOURS * HOUR).toISOString();
  const weight = sql.raw(
    `(case e.kind ${kinds.map(([field], k) => `when ${k} then ${HOT_WEIGHTS[field]}`).join(' ')} end)::float8`,
  );
  const decay = sql`power(2::float8, -greatest(0::float8, extract(epoch from (${at} - e.at))::float8 * 1000)
    / ${sql.raw(String(HOT_HALF_LIFE_HOURS * HOUR))}::float8)`;
  return sql`select s.id as series_id, s.category_id, s.published_at,
      greatest(0::float8, coalesce(sum(${weight} * ${decay}), 0)) as score
    from series s
    left join bench_events e on e.series_id = s.id
      and e.at >= ${windowStart}::timestamptz and e.at <= ${at}
    where s.status = 'published' and s.published_at is not null
    group by s.id`;
}

interface BoardRow {
  category_id: number;
  rank: number;
  series_id: number;
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await run();
  return { ms: performance.now() - start, result };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Share of the overall top 100 the two boards have in common, and of identical rank positions. */
function agreement(a: BoardRow[], b: BoardRow[]) {
  const top = (rows: BoardRow[]) =>
    rows
      .filter((r) => r.category_id === 0)
      .sort((x, y) => x.rank - y.rank)
      .map((r) => r.series_id);
  const [x, y] = [top(a), top(b)];
  const common = x.filter((id) => y.includes(id)).length / Math.max(1, x.length);
  const same = x.filter((id, i) => y[i] === id).length / Math.max(1, x.length);
  return { common, same };
}

async function measure(kind: 'pglite' | 'postgres', events: Events, now: Date) {
  const handle: DatabaseHandle = await openTestDatabase(kind);
  try {
    const { db } = handle;
    const seriesIds = await seedCatalog(db);
    const loaded = await load(db, events, seriesIds);
    const store = createSqlRankingStore(db);
    const bucketed: number[] = [];
    const naive: number[] = [];
    const refresh: number[] = [];
    let boards: { bucketed: BoardRow[]; naive: BoardRow[] } = { bucketed: [], naive: [] };
    for (let run = 0; run < RUNS; run += 1) {
      const a = await timed(() => rowsOf<BoardRow>(db, rankedSql(hotScoresSql(now))));
      const b = await timed(() => rowsOf<BoardRow>(db, rankedSql(naiveHotScoresSql(now))));
      const c = await timed(() => store.refresh({ now }));
      if (!c.result.refreshed) throw new Error(`refresh skipped: ${JSON.stringify(c.result)}`);
      bucketed.push(a.ms);
      naive.push(b.ms);
      refresh.push(c.ms);
      boards = { bucketed: a.result, naive: b.result };
      process.stderr.write(
        `${kind} run ${run + 1}/${RUNS}: buckets ${a.ms.toFixed(0)} ms, raw events ${b.ms.toFixed(0)} ms, refresh ${c.ms.toFixed(0)} ms\n`,
      );
    }
    return {
      ...loaded,
      bucketedMs: median(bucketed),
      naiveMs: median(naive),
      refreshMs: median(refresh),
      boardRows: boards.bucketed.length,
      agreement: agreement(boards.bucketed, boards.naive),
    };
  } finally {
    await handle.close();
  }
}

const now = new Date();
const events = generateEvents(now.getTime());
console.log(
  `hot ranking: ${EVENTS.toLocaleString('en')} events over ${SERIES.toLocaleString('en')} series ` +
    `and ${HOT_WINDOW_HOURS / 24} days, ${CATEGORIES} categories; median of ${RUNS} runs\n`,
);
const figures: Record<string, Awaited<ReturnType<typeof measure>>> = {};
for (const kind of ['postgres', 'pglite'] as const)
  figures[kind] = await measure(kind, events, now);

const ms = (value: number) => `${value.toFixed(0)} ms`;
const rows = [
  ['', 'PostgreSQL', 'PGlite'],
  ['events (raw table rows)', EVENTS.toLocaleString('en'), EVENTS.toLocaleString('en')],
  ['hourly buckets', ...Object.values(figures).map((f) => f.buckets.toLocaleString('en'))],
  ['load raw events', ...Object.values(figures).map((f) => ms(f.rawMs))],
  ['aggregate into buckets', ...Object.values(figures).map((f) => ms(f.bucketMs))],
  ['hot board from buckets', ...Object.values(figures).map((f) => ms(f.bucketedMs))],
  ['hot board from raw events', ...Object.values(figures).map((f) => ms(f.naiveMs))],
  [
    'ratio raw / buckets',
    ...Object.values(figures).map((f) => `${(f.naiveMs / f.bucketedMs).toFixed(1)}×`),
  ],
  ['full refresh (3 boards, write)', ...Object.values(figures).map((f) => ms(f.refreshMs))],
  [
    'hot board rows (overall + categories)',
    ...Object.values(figures).map((f) => String(f.boardRows)),
  ],
  [
    'top 100 in common / same rank',
    ...Object.values(figures).map(
      (f) =>
        `${(f.agreement.common * 100).toFixed(0)} % / ${(f.agreement.same * 100).toFixed(0)} %`,
    ),
  ],
];
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
for (const row of rows)
  console.log(
    row
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  '),
  );
console.log(
  `\nPGlite / PostgreSQL, full refresh: ${(figures.pglite!.refreshMs / figures.postgres!.refreshMs).toFixed(1)}×`,
);
