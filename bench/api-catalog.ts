/**
 * Catalog API throughput on PGlite (embedded) and PostgreSQL (scaled), side by side.
 * Seeds 6 categories × 34 series × 8 episodes into each, serves the app on port 0 and runs
 * autocannon (50 connections) on three read endpoints; prints the median of RUNS runs.
 *
 *   npm run bench:api                      # 10 s per run, 3 runs
 *   DURATION=3 RUNS=1 npm run bench:api    # quick look
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from '@binge/api';
import { seedCatalog } from '@binge/api/testing/catalog-fixtures';
import { loadConfig } from '@binge/core/config';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import { measureLoad, type LoadFigure } from './support/load.ts';

const duration = Number(process.env.DURATION ?? 10);
const runs = Number(process.env.RUNS ?? 3);
const connections = 50;

type Figure = LoadFigure;

function measure(base: string, paths: string[]): Promise<Figure> {
  return measureLoad(base, paths, { connections, duration, runs });
}

const endpoints = ['series page', 'series detail', 'playback'] as const;

/**
 * Child mode: seed one database, serve the app and report the port and ids on stdout. The app
 * runs in its own process so that autocannon does not share its event loop.
 */
if (process.env.BENCH_SERVE) {
  const kind = process.env.BENCH_SERVE as 'pglite' | 'postgres';
  const dataDir = await mkdtemp(path.join(tmpdir(), 'binge-bench-api-'));
  const db = await openTestDatabase(kind);
  const seededAt = Date.now();
  const seeded = await seedCatalog(db.db, {
    categories: 6,
    seriesPerCategory: 34,
    episodesPerSeries: 8,
  });
  const seedSeconds = (Date.now() - seededAt) / 1000;
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    MEDIA_SECRET: 'bench-secret-0123456789abcdef0123456789',
  });
  const app = await build({ config, db, storage: createLocalStorage(path.join(dataDir, 'media')) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ port, seedSeconds, ...seeded })}\n`);
  process.on('SIGTERM', async () => {
    await app.close();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
} else {
  const results: Record<string, Record<string, Figure>> = {};
  for (const kind of ['pglite', 'postgres'] as const) {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_SERVE: kind },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const seeded = JSON.parse(line) as {
      port: number;
      seedSeconds: number;
      categorySlugs: string[];
      seriesIds: number[];
      episodeIds: number[];
    };
    console.log(
      `${kind}: seeded ${seeded.seriesIds.length} series, ${seeded.episodeIds.length} episodes in ${seeded.seedSeconds.toFixed(1)} s`,
    );
    const base = `http://127.0.0.1:${seeded.port}`;
    const pick = <T>(list: T[], n: number) =>
      Array.from({ length: n }, (_, i) => list[(i * 37) % list.length]!);
    results[kind] = {
      'series page': await measure(
        base,
        seeded.categorySlugs.map((slug) => `/api/v1/series?category=${slug}&limit=20`),
      ),
      'series detail': await measure(
        base,
        pick(seeded.seriesIds, 50).map((id) => `/api/v1/series/${id}`),
      ),
      playback: await measure(
        base,
        pick(seeded.episodeIds, 50).map((id) => `/api/v1/episodes/${id}/playback`),
      ),
    };
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  report(results);
}

function report(results: Record<string, Record<string, Figure>>) {
  console.log(
    `\nautocannon: ${connections} connections, ${duration} s per run, median of ${runs} run(s)\n`,
  );
  const pad = (value: string, width: number) => value.padStart(width);
  console.log(
    `${'endpoint'.padEnd(16)}${pad('pglite req/s', 14)}${pad('p99 ms', 9)}${pad('postgres req/s', 16)}${pad('p99 ms', 9)}${pad('errors', 8)}`,
  );
  for (const endpoint of endpoints) {
    const a = results.pglite![endpoint]!;
    const b = results.postgres![endpoint]!;
    console.log(
      `${endpoint.padEnd(16)}${pad(a.rps.toFixed(0), 14)}${pad(String(a.p99), 9)}${pad(b.rps.toFixed(0), 16)}${pad(String(b.p99), 9)}${pad(String(a.errors + b.errors), 8)}`,
    );
  }
}
