/**
 * Feed page latency end to end: one FeedService.page() of the ranker in process, i.e. the
 * session lookup, candidate generation (every source in one statement), the feature rows, the
 * scores, the re-ranking and the impression logging (feed_impressions rows with their vectors and
 * the items' impression counts, in one transaction), on PostgreSQL and on PGlite.
 *
 * The catalog: CATEGORIES categories × SERIES_PER_CATEGORY series × EPISODES episodes, all
 * playable, with engagement (hot and per-category boards refreshed), item features, co-watch
 * edges, editorial picks and USERS viewers with history (affinities, recent series, progress in a
 * few series), so that a page is ranked from about 500 candidates. Pages go to a random viewer,
 * a third of them continuing the viewer's session (cursor) and the rest opening a new one.
 *
 * In the same run, page by page in turn: the heuristic score (no model), a trained model (the
 * production shape, hidden 32·16, on the backend initBackend picks), and the same model reading
 * every item's feature row from the database (itemCacheMs 0, the peer of the item cache). The
 * impressions are written behind the answer (feed-ranker.ts), so a page's time is until it is
 * answered; the next page of the same session waits for them. Prints p50 and p99 of each, the
 * ratios, and the median of each stage measured alone. Goal: p99 < 30 ms.
 *
 *   npm run bench:feed             # 400 pages per scorer per database
 *   npm run bench:feed -- --quick  # 60 pages
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Database, DatabaseHandle } from '@binge/core/db';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLogger } from '@binge/core/log';
import { createSqlRankingStore } from '@binge/core/rankings/store-sql';
import { generateCandidates } from '../feed-ranker/src/candidates/generate.ts';
import { heuristicScores } from '../feed-ranker/src/features/heuristic.ts';
import { SERVING_DIM, SERVING_FEATURES } from '../feed-ranker/src/features/spec.ts';
import { buildFeatureRows } from '../feed-ranker/src/features/vector.ts';
import { initBackend } from '../feed-ranker/src/model/backend.ts';
import { RankerModel, seededRandom } from '../feed-ranker/src/model/ranker-model.ts';
import {
  createFeedRanker,
  exposureOf,
  type FeedRanker,
} from '../feed-ranker/src/serving/feed-ranker.ts';
import { rerank } from '../feed-ranker/src/serving/rerank.ts';

const quick = process.argv.includes('--quick');
const PAGES = quick ? 60 : 400;
const WARMUP = 20;
const CATEGORIES = 10;
const SERIES_PER_CATEGORY = 70;
const EPISODES = 4;
const USERS = 200;
const LIMIT = 20;
/** Candidates per source: with the viewer sources filled, about 500 per page. */
const PER_SOURCE = 160;
const SECRET = 'bench-feed-secret-0123456789abcdef-0123';
const quiet = createLogger({ level: 'silent' });
const SCORERS = ['heuristic', 'model', 'model, no item cache'] as const;
type Scorer = (typeof SCORERS)[number];

async function rowsOf<T>(db: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** The catalog and the viewers' history, in set-based statements (seconds, not minutes). */
async function seed(db: Database): Promise<number[]> {
  const seriesCount = CATEGORIES * SERIES_PER_CATEGORY;
  await db.execute(sql`insert into categories (slug, name_en, name_zh, position)
    select 'bench-c' || c, 'Category ' || c, '类别 ' || c, c from generate_series(0, ${CATEGORIES - 1}) c`);
  await db.execute(sql`insert into tags (slug, name_en, name_zh)
    select 'bench-t' || t, 'Tag ' || t, '标签 ' || t from generate_series(0, 29) t`);
  await db.execute(sql`insert into series (slug, title_en, title_zh, synopsis_en, synopsis_zh,
      category_id, status, published_at)
    select 'bench-s' || s, 'Series ' || s, '剧 ' || s, '', '',
      (select id from categories where slug = 'bench-c' || (s % ${CATEGORIES})), 'published',
      now() - make_interval(hours => s * 2)
    from generate_series(0, ${seriesCount - 1}) s`);
  await db.execute(sql`insert into series_tags (series_id, tag_id)
    select s.id, t.id from series s join tags t
      on t.slug in ('bench-t' || (s.id % 30), 'bench-t' || ((s.id * 7) % 30))`);
  await db.execute(sql`insert into episodes (series_id, number, title_en, title_zh, duration_ms,
      status, is_free, published_at)
    select s.id, n, 'Episode ' || n, '第' || n || '集', 60000 + (s.id * 37 % 60) * 1000, 'ready',
      n <= 2, now()
    from series s cross join generate_series(1, ${EPISODES}) n`);
  await db.execute(sql`insert into media_assets (episode_id, status, source_key, storage_prefix,
      master_key)
    select id, 'ready', 'uploads/' || id, 'episodes/' || id || '/a/',
      'episodes/' || id || '/a/master.m3u8' from episodes`);
  await db.execute(
    sql`update episodes e set media_asset_id = m.id from media_assets m where m.episode_id = e.id`,
  );
  await db.execute(sql`insert into series_counters (series_id, views, likes)
    select id, (id * 7919) % 100000, (id * 104729) % 5000 from series`);
  // Engagement over the last two days (the hot boards), skewed to a third of the catalog.
  await db.execute(sql`insert into series_activity_hourly (series_id, hour, views, likes, shares)
    select s.id, date_trunc('hour', now()) - make_interval(hours => h),
      1 + (s.id * 31 + h) % 50, (s.id + h) % 7, (s.id * h) % 3
    from series s cross join generate_series(0, 47, 6) h
    where s.id % 3 = 0`);
  await createSqlRankingStore(db).refresh();
  await db.execute(sql`insert into item_features (episode_id, series_id, impressions, starts,
      completes, early_skips, likes, shares, watch_ms)
    select id, series_id, 20 + (id * 13) % 2000, 10 + (id * 7) % 900, (id * 5) % 400,
      (id * 3) % 200, (id * 11) % 80, (id * 17) % 20, ((id * 7) % 900) * 45000::bigint
    from episodes`);
  await db.execute(sql`insert into co_watch (series_id, other_id, weight)
    select s.id, o.id, 1 + ((s.id * o.id) % 10)
    from series s join series o on o.id <> s.id and (o.id - s.id + ${seriesCount}) % ${seriesCount} in (1, 3, 7, 12, 20, 33)`);
  await db.execute(sql`insert into editorial_picks (series_id, position)
    select id, id % 20 from series where id % 37 = 0`);

  const users = await rowsOf<{ id: number }>(
    db,
    sql`insert into users (handle, display_name)
      select 'bench-u' || u, 'Viewer ' || u from generate_series(0, ${USERS - 1}) u returning id`,
  );
  const seriesIds = (await rowsOf<{ id: number }>(db, sql`select id from series order by id`)).map(
    (row) => row.id,
  );
  const categoryIds = (
    await rowsOf<{ id: number }>(db, sql`select id from categories order by id`)
  ).map((row) => row.id);
  const tagIds = (await rowsOf<{ id: number }>(db, sql`select id from tags order by id`)).map(
    (row) => row.id,
  );
  const random = seededRandom(20_261_123);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const features = users.map(({ id }) => {
    const categoryAffinity: Record<string, number> = {};
    for (let k = 0; k < 4; k += 1) categoryAffinity[pick(categoryIds)] = 1 + random() * 5;
    const tagAffinity: Record<string, number> = {};
    for (let k = 0; k < 6; k += 1) tagAffinity[pick(tagIds)] = 1 + random() * 5;
    return {
      user_id: id,
      events: 50 + Math.floor(random() * 500),
      starts: 20 + Math.floor(random() * 100),
      completes: Math.floor(random() * 60),
      completion_ewma: random(),
      skip_ewma: random() * 0.5,
      category_affinity: categoryAffinity,
      tag_affinity: tagAffinity,
      active_hours: Array.from({ length: 24 }, () => Math.floor(random() * 10)),
      recent_series: Array.from({ length: 10 }, () => pick(seriesIds)),
    };
  });
  await db.execute(sql`insert into user_features (user_id, events, starts, completes,
      completion_ewma, skip_ewma, category_affinity, tag_affinity, active_hours, recent_series)
    select v.user_id, v.events, v.starts, v.completes, v.completion_ewma, v.skip_ewma,
      v.category_affinity, v.tag_affinity,
      array(select jsonb_array_elements_text(v.active_hours)::int),
      array(select jsonb_array_elements_text(v.recent_series)::int)
    from jsonb_to_recordset(${JSON.stringify(features)}::jsonb) as v(user_id int, events int,
      starts int, completes int, completion_ewma float8, skip_ewma float8,
      category_affinity jsonb, tag_affinity jsonb, active_hours jsonb, recent_series jsonb)`);
  // Each viewer is part-way through a few series (the continue source).
  await db.execute(sql`insert into watch_progress (user_id, episode_id, position_ms, duration_ms,
      hlc_wall_ms, hlc_counter, hlc_node, updated_at)
    select u.id, e.id, e.duration_ms / 2, e.duration_ms, 1, 0, 'bench',
      now() - make_interval(hours => k)
    from users u cross join generate_series(1, 5) k
    join episodes e on e.number = 2 and e.series_id = (select id from series
      order by id offset ((u.id * 17 + k * 101) % ${seriesCount}) limit 1)
    where u.handle like 'bench-u%'
    on conflict do nothing`);
  await db.execute(sql`analyze`);
  return users.map((row) => row.id);
}

/** A model of the production shape, trained briefly on synthetic rows: its speed is the point. */
async function benchModel(): Promise<RankerModel> {
  const rows = 2048;
  const random = seededRandom(7);
  const x = Float32Array.from({ length: rows * SERVING_DIM }, () => random());
  const watched = Float32Array.from({ length: rows }, () => (random() < 0.4 ? 1 : 0));
  const weight = Float32Array.from(watched, (w) => (w ? 1 + random() * 60 : 1));
  return RankerModel.train(
    { rows, dim: SERVING_DIM, x, watched, weight },
    { featureNames: SERVING_FEATURES, version: 'bench-1', epochs: 2 },
  );
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const median = (values: number[]) => percentile(values, 50);
const fmt = (ms: number) => ms.toFixed(2).padStart(7);

async function measure(kind: 'postgres' | 'pglite', model: RankerModel): Promise<void> {
  const handle: DatabaseHandle = await openTestDatabase(kind);
  try {
    const seedStart = performance.now();
    const users = await seed(handle.db);
    const seedMs = performance.now() - seedStart;
    const db = handle.db;
    const random = seededRandom(99);
    const ranker = (current: RankerModel | null, itemCacheMs?: number): FeedRanker =>
      createFeedRanker({
        db,
        registry: { current: () => current },
        logger: quiet,
        authSecret: SECRET,
        explorePercent: 10,
        random,
        perSource: PER_SOURCE,
        ...(itemCacheMs === undefined ? {} : { itemCacheMs }),
      });
    const rankers: Record<Scorer, FeedRanker> = {
      heuristic: ranker(null),
      model: ranker(model),
      'model, no item cache': ranker(model, 0),
    };
    const cursors = new Map<string, string>();
    const times: Record<Scorer, number[]> = {
      heuristic: [],
      model: [],
      'model, no item cache': [],
    };
    let entries = 0;
    for (let i = 0; i < SCORERS.length * (PAGES + WARMUP); i += 1) {
      const scorer = SCORERS[i % SCORERS.length]!;
      const viewerId = users[Math.floor(random() * users.length)]!;
      const key = `${scorer}:${viewerId}`;
      const cursor = random() < 1 / 3 ? cursors.get(key) : undefined;
      const start = performance.now();
      const page = await rankers[scorer].page({
        viewerId,
        limit: LIMIT,
        now: new Date(),
        surface: 'http',
        ...(cursor ? { cursor } : {}),
      });
      const ms = performance.now() - start;
      cursors.set(key, page.next);
      if (i >= SCORERS.length * WARMUP) {
        times[scorer].push(ms);
        entries += page.entries.length;
      }
      if (scorer !== 'heuristic' && page.modelVersion !== 'bench-1')
        throw new Error('the model page fell back to the heuristic');
    }

    // Each stage alone, for one viewer at a time (medians).
    const stage = {
      candidates: [] as number[],
      features: [] as number[],
      heuristic: [] as number[],
    };
    const scoreStage = { model: [] as number[], rerank: [] as number[] };
    const counts: number[] = [];
    for (let i = 0; i < Math.min(PAGES, 100); i += 1) {
      const viewerId = users[i % users.length]!;
      const now = new Date();
      let t = performance.now();
      const candidates = await generateCandidates(db, viewerId, now, { perSource: PER_SOURCE });
      stage.candidates.push(performance.now() - t);
      counts.push(candidates.length);
      t = performance.now();
      const rows = await buildFeatureRows(db, viewerId, candidates, now);
      stage.features.push(performance.now() - t);
      t = performance.now();
      heuristicScores(rows.x, rows.rows);
      stage.heuristic.push(performance.now() - t);
      t = performance.now();
      const scores = model.predict(rows.x, rows.rows);
      scoreStage.model.push(performance.now() - t);
      const scored = candidates.map((c, row) => ({
        ...c,
        score: scores[row]!,
        context: rows.contexts[row]!,
        ...exposureOf(rows.x, row),
        row,
      }));
      t = performance.now();
      rerank(scored, { limit: LIMIT, explorePercent: 10, random });
      scoreStage.rerank.push(performance.now() - t);
    }

    console.log(
      `\n${kind}: seeded in ${(seedMs / 1000).toFixed(1)} s; ${USERS} viewers, ` +
        `${CATEGORIES * SERIES_PER_CATEGORY} series, ${CATEGORIES * SERIES_PER_CATEGORY * EPISODES} episodes; ` +
        `candidates per page: median ${median(counts)}, min ${Math.min(...counts)}, max ${Math.max(...counts)}; ` +
        `${(entries / (SCORERS.length * PAGES)).toFixed(1)} entries per page`,
    );
    console.log(`  page end to end (ms)       p50      p99      n`);
    for (const scorer of SCORERS)
      console.log(
        `  ${scorer.padEnd(22)} ${fmt(median(times[scorer]))}  ${fmt(percentile(times[scorer], 99))}  ${times[scorer].length}`,
      );
    console.log(
      `  model / heuristic     p50 ×${(median(times.model) / median(times.heuristic)).toFixed(2)}, ` +
        `p99 ×${(percentile(times.model, 99) / percentile(times.heuristic, 99)).toFixed(2)}`,
    );
    const uncached = times['model, no item cache'];
    console.log(
      `  no item cache / model p50 ×${(median(uncached) / median(times.model)).toFixed(2)}, ` +
        `p99 ×${(percentile(uncached, 99) / percentile(times.model, 99)).toFixed(2)}`,
    );
    for (const r of Object.values(rankers)) await r.settled();
    console.log(
      `  stages alone (median ms): candidates ${median(stage.candidates).toFixed(2)}, ` +
        `features ${median(stage.features).toFixed(2)}, heuristic ${median(stage.heuristic).toFixed(2)}, ` +
        `model ${median(scoreStage.model).toFixed(2)}, rerank ${median(scoreStage.rerank).toFixed(2)}`,
    );
  } finally {
    await handle.close();
  }
}

const backend = await initBackend('auto');
console.log(
  `feed page latency: ${PAGES} pages per scorer (after ${WARMUP} warm-up), limit ${LIMIT}, ` +
    `perSource ${PER_SOURCE}, TF.js backend ${backend}, node ${process.version}`,
);
const model = await benchModel();
for (const kind of ['postgres', 'pglite'] as const) await measure(kind, model);
model.dispose();
