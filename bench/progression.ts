/**
 * Watch-progress writes with watch-time accounting, beside the bare LWW upsert they replaced, on
 * PostgreSQL and on PGlite.
 *
 * The gateway stores a progress heartbeat every few seconds per viewer; since issue 4 the write
 * also credits watch time (core/src/progression: lock the user, read the register, upsert, credit
 * the forward move to watch_days, grant experience at 5-minute steps). This measures what that
 * costs. USERS viewers each write one heartbeat per round, ROUNDS rounds, CONCURRENCY writes in
 * flight; between rounds (untimed) every register is aged 10 s, so each heartbeat proves 10 s of
 * playback and takes the full crediting path, as a real one does.
 *
 *   - with accounting: RealtimeStore.writeProgress as shipped (createSqlRealtimeStore);
 *   - bare upsert (peer): the one-statement LWW upsert the store ran before, same stamps and rows.
 *
 * Prints writes per second and median latency of each, and the ratio.
 *
 *   npm run bench:progression            # 400 viewers × 15 rounds
 *   npm run bench:progression -- --quick # 100 viewers × 5 rounds
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Database, DatabaseHandle } from '@binge/core/db';
import { openTestDatabase } from '@binge/core/db/testing';
import { categories, episodes, series, users, watchProgress } from '@binge/core/db/schema';
import { createSqlRealtimeStore } from '@binge/core/realtime-state/store-sql';
import { median } from './support/load.ts';

const quick = process.argv.includes('--quick');
const USERS = quick ? 100 : 400;
const ROUNDS = quick ? 5 : 15;
const CONCURRENCY = 16;

interface Viewer {
  userId: number;
  episodeId: number;
}

async function seed(db: Database, tag: string): Promise<Viewer[]> {
  const [category] = await db
    .insert(categories)
    .values({ slug: `bench-${tag}`, nameEn: 'Drama', nameZh: '剧情' })
    .returning({ id: categories.id });
  const [show] = await db
    .insert(series)
    .values({
      slug: `bench-${tag}`,
      titleEn: 'Bench',
      titleZh: '基准',
      synopsisEn: '',
      synopsisZh: '',
      categoryId: category!.id,
      status: 'published',
      publishedAt: new Date(),
    })
    .returning({ id: series.id });
  const viewers: Viewer[] = [];
  for (let i = 0; i < USERS; i += 1) {
    const [user] = await db
      .insert(users)
      .values({ handle: `bench_${tag}_${i}`, displayName: `Viewer ${i}` })
      .returning({ id: users.id });
    const [episode] = await db
      .insert(episodes)
      .values({
        seriesId: show!.id,
        number: i + 1,
        titleEn: `E${i}`,
        titleZh: `第${i}集`,
        durationMs: 600_000,
      })
      .returning({ id: episodes.id });
    viewers.push({ userId: user!.id, episodeId: episode!.id });
  }
  return viewers;
}

type Write = (viewer: Viewer, round: number) => Promise<unknown>;

/** The store's statement before watch time was credited: one LWW upsert. */
function bareUpsert(db: Database): Write {
  return (viewer, round) =>
    db
      .insert(watchProgress)
      .values({
        userId: viewer.userId,
        episodeId: viewer.episodeId,
        positionMs: round * 10_000,
        durationMs: 600_000,
        hlcWallMs: 1_000 + round,
        hlcCounter: 0,
        hlcNode: 'phone',
      })
      .onConflictDoUpdate({
        target: [watchProgress.userId, watchProgress.episodeId],
        set: {
          positionMs: sql`excluded.position_ms`,
          durationMs: sql`excluded.duration_ms`,
          hlcWallMs: sql`excluded.hlc_wall_ms`,
          hlcCounter: sql`excluded.hlc_counter`,
          hlcNode: sql`excluded.hlc_node`,
          updatedAt: sql`now()`,
        },
        setWhere: sql`(excluded.hlc_wall_ms, excluded.hlc_counter, excluded.hlc_node collate "C",
          excluded.duration_ms, excluded.position_ms)
          > (${watchProgress.hlcWallMs}, ${watchProgress.hlcCounter},
          ${watchProgress.hlcNode} collate "C", ${watchProgress.durationMs},
          ${watchProgress.positionMs})`,
      });
}

function accounted(db: Database): Write {
  const store = createSqlRealtimeStore(db);
  return (viewer, round) =>
    store.writeProgress({
      userId: viewer.userId,
      episodeId: viewer.episodeId,
      posMs: round * 10_000,
      durMs: 600_000,
      hlc: { wallMs: 1_000 + round, counter: 0, node: 'phone' },
    });
}

async function run(db: Database, viewers: Viewer[], write: Write) {
  const latencies: number[] = [];
  let busyMs = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    await db.execute(sql`update watch_progress set updated_at = updated_at - interval '10 seconds'
      where user_id in (${sql.join(
        viewers.map((v) => sql`${v.userId}`),
        sql`, `,
      )})`);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < viewers.length) {
          const viewer = viewers[next++]!;
          const at = performance.now();
          await write(viewer, round);
          latencies.push(performance.now() - at);
        }
      }),
    );
    busyMs += performance.now() - started;
  }
  return { perSecond: (latencies.length / busyMs) * 1_000, medianMs: median(latencies) };
}

async function measure(kind: 'pglite' | 'postgres') {
  const handle: DatabaseHandle = await openTestDatabase(kind);
  try {
    const { db } = handle;
    const bare = await run(db, await seed(db, 'bare'), bareUpsert(db));
    const full = await run(db, await seed(db, 'full'), accounted(db));
    const [credited] = (
      (await db.execute(sql`select coalesce(sum(seconds), 0)::int as seconds from watch_days`)) as {
        rows: Array<{ seconds: number }>;
      }
    ).rows;
    return { bare, full, creditedSeconds: credited?.seconds ?? 0 };
  } finally {
    await handle.close();
  }
}

console.log(
  `watch-progress writes: ${USERS} viewers × ${ROUNDS} rounds, ${CONCURRENCY} in flight; ` +
    'each heartbeat proves 10 s of playback\n',
);
const figures = {
  PostgreSQL: await measure('postgres'),
  PGlite: await measure('pglite'),
};
const rows = [
  ['', ...Object.keys(figures)],
  [
    'bare LWW upsert (peer), writes/s',
    ...Object.values(figures).map((f) => f.bare.perSecond.toFixed(0)),
  ],
  [
    'with watch-time accounting, writes/s',
    ...Object.values(figures).map((f) => f.full.perSecond.toFixed(0)),
  ],
  [
    'ratio peer / accounting',
    ...Object.values(figures).map((f) => `${(f.bare.perSecond / f.full.perSecond).toFixed(1)}×`),
  ],
  [
    'median latency, peer',
    ...Object.values(figures).map((f) => `${f.bare.medianMs.toFixed(2)} ms`),
  ],
  [
    'median latency, accounting',
    ...Object.values(figures).map((f) => `${f.full.medianMs.toFixed(2)} ms`),
  ],
  [
    'watch time credited',
    ...Object.values(figures).map((f) => `${f.creditedSeconds.toLocaleString('en')} s`),
  ],
];
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
for (const row of rows)
  console.log(
    row
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  '),
  );
