/**
 * Discussion under load, on PGlite (embedded) and PostgreSQL (scaled), in one run:
 *
 * (a) like toggles: USERS signed-in users alternately liking and unliking one episode (the
 *     engagement route `PUT`/`DELETE /api/v1/me/like/episode/{id}`) and one comment
 *     (`PUT`/`DELETE /api/v1/comments/{id}/like`): every request changes a set and its count in
 *     one transaction, all on one hot row;
 * (b) listing the comments of an episode with 20,000 comments and replies (beside another episode
 *     with as many), signed in: the `new` and `hot` orders, the first page and a page 10,000
 *     comments deep by keyset cursor, beside the peer: the same read paged with OFFSET at the same
 *     depth (what a naive implementation does).
 *
 * autocannon, CONNECTIONS connections (20), DURATION seconds a run (4), the median of RUNS runs (3);
 * the app runs in a child process so autocannon does not share its event loop. About 4 minutes.
 *
 *   npm run bench:discussion
 *   npm run bench:discussion -- --quick          # 1 run of 2 s per figure, under a minute
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { build } from '@binge/api';
import { insertCategory, insertEpisode, insertSeries } from '@binge/api/testing/catalog-fixtures';
import { loadConfig } from '@binge/core/config';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import { createDiscussionCursorCodec } from '../api/src/discussion/discussion-cursor.ts';
import { signInAsGuest } from '../api/src/testing/session-client.ts';
import { registerOffsetListing } from './discussion/offset-listing.ts';
import { seedComments } from './discussion/seed-comments.ts';
import { median, type LoadFigure } from './support/load.ts';

const quick = process.argv.includes('--quick');
const duration = Number(process.env.DURATION ?? (quick ? 2 : 4));
const runs = Number(process.env.RUNS ?? (quick ? 1 : 3));
const connections = Number(process.env.CONNECTIONS ?? 20);
const userCount = Number(process.env.USERS ?? 200);
const topLevel = 16_000;
const replies = 4_000;
const depth = 10_000;
const pageSize = 20;

interface Served {
  port: number;
  seedSeconds: number;
  episodeId: number;
  commentId: string;
  viewerId: number;
  viewer: string;
  authorizations: string[];
  cursors: { new: string; hot: string };
}

/** Child: seed one database, serve the app (and the OFFSET peer) and report what to load. */
async function serve(kind: 'pglite' | 'postgres') {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'binge-bench-discussion-'));
  const db = await openTestDatabase(kind);
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    MEDIA_SECRET: 'bench-secret-0123456789abcdef0123456789',
  });
  const app = await build(
    { config, db, storage: createLocalStorage(path.join(dataDir, 'media')) },
    { guestLimit: { max: 100_000, timeWindowMs: 3_600_000 } },
  );
  registerOffsetListing(app, db.db);

  const seededAt = Date.now();
  const categoryId = await insertCategory(db.db, { slug: 'drama' });
  const seriesId = await insertSeries(db.db, { slug: 'busy', categoryId });
  const { episodeId } = await insertEpisode(db.db, { seriesId, number: 1 });
  const sessions = [];
  for (let i = 0; i < userCount; i += 1) sessions.push(await signInAsGuest(app));
  // A second episode as busy as the measured one, so that a plan which reads the whole table
  // instead of one episode's index range shows in the figures.
  const { episodeId: neighbourId } = await insertEpisode(db.db, { seriesId, number: 2 });
  for (const id of [neighbourId, episodeId])
    await seedComments(db.db, {
      episodeId: id,
      authorIds: sessions.map((s) => s.user.id),
      topLevel,
      replies,
    });
  const rows = async (statement: ReturnType<typeof sql>) =>
    ((await db.db.execute(statement)) as unknown as { rows: Array<Record<string, unknown>> }).rows;
  const listed = sql`episode_id = ${episodeId}::integer and parent_id is null
    and (status = 'visible' or replies > 0)`;
  // The last item of the page before the deep one: the cursor a client walking there would hold.
  // Columns stay as stored: an `id::text as id` would make `order by id` sort the text.
  const [newest] = await rows(sql`select id from comments where ${listed}
    order by id desc limit 1`);
  const [deepNew] = await rows(sql`select id from comments where ${listed}
    order by id desc offset ${depth - 1}::integer limit 1`);
  const [deepHot] = await rows(sql`select id, likes from comments where ${listed}
    order by likes desc, id desc offset ${depth - 1}::integer limit 1`);
  const cursors = createDiscussionCursorCodec(config.mediaSecret);
  const viewer = sessions[0]!;
  const served: Served = {
    port: 0,
    seedSeconds: (Date.now() - seededAt) / 1000,
    episodeId,
    commentId: String(newest!.id),
    viewerId: viewer.user.id,
    viewer: viewer.headers.authorization,
    authorizations: sessions.map((s) => s.headers.authorization),
    cursors: {
      new: cursors.encode(`comments:new:e${episodeId}`, { id: Number(deepNew!.id) }),
      hot: cursors.encode(`comments:hot:e${episodeId}`, {
        key: Number(deepHot!.likes),
        id: Number(deepHot!.id),
      }),
    },
  };
  await app.listen({ port: 0, host: '127.0.0.1' });
  served.port = (app.server.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify(served)}\n`);
  process.on('SIGTERM', async () => {
    await app.close();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
}

type Request = { method: 'GET' | 'PUT' | 'DELETE'; path: string; headers: Record<string, string> };

/** autocannon `runs` times over `requests` (cycled per connection); the median of each figure. */
async function measure(base: string, requests: Request[]): Promise<LoadFigure> {
  const figures: LoadFigure[] = [];
  for (let run = 0; run < runs; run += 1) {
    const result = await autocannon({ url: base, connections, duration, requests });
    figures.push({
      rps: result.requests.average,
      p99: result.latency.p99,
      mbps: result.throughput.average / 1e6,
      errors: result.errors + result.non2xx,
    });
  }
  return {
    rps: median(figures.map((f) => f.rps)),
    p99: median(figures.map((f) => f.p99)),
    mbps: median(figures.map((f) => f.mbps)),
    errors: figures.reduce((sum, f) => sum + f.errors, 0),
  };
}

const endpoints = [
  'like toggle: episode',
  'like toggle: comment',
  'new, first page',
  `new, ${depth} deep: keyset`,
  `new, ${depth} deep: OFFSET`,
  'hot, first page',
  `hot, ${depth} deep: keyset`,
  `hot, ${depth} deep: OFFSET`,
] as const;
type Endpoint = (typeof endpoints)[number];

async function main() {
  const results: Record<string, Record<Endpoint, LoadFigure>> = {};
  for (const kind of ['pglite', 'postgres'] as const) {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_SERVE: kind },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      const served = JSON.parse(line) as Served;
      console.log(
        `${kind}: ${userCount} users, 2 episodes of ${topLevel} comments and ${replies} replies seeded in ${served.seedSeconds.toFixed(1)} s`,
      );
      results[kind] = await measureServed(kind, served);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }
  report(results);
}

async function measureServed(kind: string, served: Served): Promise<Record<Endpoint, LoadFigure>> {
  const base = `http://127.0.0.1:${served.port}`;
  const asViewer = (p: string): Request => ({
    method: 'GET',
    path: p,
    headers: { authorization: served.viewer },
  });
  const list = (query: string) => `/api/v1/episodes/${served.episodeId}/comments?${query}`;
  const offset = (order: string) =>
    `/bench/offset/episodes/${served.episodeId}/comments?order=${order}&offset=${depth}&limit=${pageSize}&viewer=${served.viewerId}`;
  const toggles = (p: string): Request[] =>
    served.authorizations.flatMap((authorization) => [
      { method: 'PUT', path: p, headers: { authorization } },
      { method: 'DELETE', path: p, headers: { authorization } },
    ]);

  // The peer must read what the keyset page reads, or the comparison means nothing.
  for (const order of ['new', 'hot'] as const) {
    const ids = async (url: string) => {
      const response = await fetch(`${base}${url}`, { headers: { authorization: served.viewer } });
      const page = (await response.json()) as { items?: Array<{ id: string }> };
      return (page.items ?? []).map((c) => c.id).join();
    };
    const keyset = await ids(
      list(`order=${order}&limit=${pageSize}&cursor=${served.cursors[order]}`),
    );
    const paged = await ids(offset(order));
    if (keyset.split(',').length !== pageSize || keyset !== paged)
      throw new Error(
        `${kind} ${order}: the keyset page (${keyset}) and the OFFSET page (${paged}) differ`,
      );
  }

  const figures = {} as Record<Endpoint, LoadFigure>;
  figures['like toggle: episode'] = await measure(
    base,
    toggles(`/api/v1/me/like/episode/${served.episodeId}`),
  );
  figures['like toggle: comment'] = await measure(
    base,
    toggles(`/api/v1/comments/${served.commentId}/like`),
  );
  for (const order of ['new', 'hot'] as const) {
    figures[`${order}, first page`] = await measure(base, [
      asViewer(list(`order=${order}&limit=${pageSize}`)),
    ]);
    figures[`${order}, ${depth} deep: keyset`] = await measure(base, [
      asViewer(list(`order=${order}&limit=${pageSize}&cursor=${served.cursors[order]}`)),
    ]);
    figures[`${order}, ${depth} deep: OFFSET`] = await measure(base, [asViewer(offset(order))]);
  }
  return figures;
}

function report(results: Record<string, Record<Endpoint, LoadFigure>>) {
  console.log(
    `\nautocannon: ${connections} connections, ${duration} s per run, median of ${runs} run(s); ` +
      `${pageSize} comments a page, each with up to 3 replies, signed in\n`,
  );
  const pad = (value: string, width: number) => value.padStart(width);
  console.log(
    `${'endpoint'.padEnd(28)}${pad('pglite req/s', 14)}${pad('p99 ms', 9)}${pad('postgres req/s', 16)}${pad('p99 ms', 9)}${pad('errors', 8)}`,
  );
  for (const endpoint of endpoints) {
    const a = results.pglite![endpoint];
    const b = results.postgres![endpoint];
    console.log(
      `${endpoint.padEnd(28)}${pad(a.rps.toFixed(0), 14)}${pad(String(a.p99), 9)}${pad(b.rps.toFixed(0), 16)}${pad(String(b.p99), 9)}${pad(String(a.errors + b.errors), 8)}`,
    );
  }
  console.log('');
  for (const order of ['new', 'hot'] as const)
    for (const kind of ['pglite', 'postgres'] as const) {
      const keyset = results[kind]![`${order}, ${depth} deep: keyset`];
      const offset = results[kind]![`${order}, ${depth} deep: OFFSET`];
      console.log(
        `${order} ${depth} deep on ${kind}: keyset ${(keyset.rps / offset.rps).toFixed(1)}× the requests/s of OFFSET`,
      );
    }
}

// Last, so that every declaration above is initialised before either mode runs.
if (process.env.BENCH_SERVE) {
  await serve(process.env.BENCH_SERVE as 'pglite' | 'postgres');
} else {
  await main();
}
