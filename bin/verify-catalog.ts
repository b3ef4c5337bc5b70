import path from 'node:path';
import { eq } from 'drizzle-orm';
import { loadConfig } from '@binge/core/config';
import { openDatabase } from '@binge/core/db';
import { episodes, series } from '@binge/core/db/schema';
import { createLogger } from '@binge/core/log';
import { createStorage } from '@binge/core/runtime/adapters';
import type { PlaybackInfo } from '@binge/core/protocol/catalog';
import { build } from '../api/src/app.ts';
import { decodeHls } from '../media/src/verify/hls-decode.ts';

/**
 * Operator check: decodes every ready episode of a catalog end to end, as a player would, over
 * HTTP (master, variants, AES keys, every segment of every rendition), paid episodes included.
 * Run it on a stopped platform's DATA_DIR (PGlite allows one process) or against DATABASE_URL:
 *
 *   DATA_DIR=./data node --import tsx bin/verify-catalog.ts
 *
 * It serves the API on loopback only, with an entitlement policy that opens every episode, which
 * is why it is a local tool and never part of a running platform. Exits 1 if any episode fails.
 */
const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  pgliteDir: path.join(config.dataDir, 'pglite'),
});
const app = await build({
  config,
  db: database,
  storage: createStorage(config),
  logger: createLogger({ level: 'warn' }),
  entitlements: { canWatch: async () => true },
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

const rows = await database.db
  .select({ id: episodes.id, number: episodes.number, isFree: episodes.isFree, slug: series.slug })
  .from(episodes)
  .innerJoin(series, eq(series.id, episodes.seriesId))
  .where(eq(episodes.status, 'ready'))
  .orderBy(series.id, episodes.number);

let failed = 0;
const started = Date.now();
for (const row of rows) {
  const response = await fetch(`${origin}/api/v1/episodes/${row.id}/playback`);
  const label = `${row.slug} EP${row.number} (${row.isFree ? 'free' : 'paid'})`;
  if (response.status !== 200) {
    failed += 1;
    console.log(`FAIL ${label}: playback answered ${response.status}`);
    continue;
  }
  const playback = (await response.json()) as PlaybackInfo;
  const result = await decodeHls(new URL(playback.masterUrl, origin).href);
  if (!result.ok) failed += 1;
  console.log(
    `${result.ok ? 'ok  ' : 'FAIL'} ${label}: ${result.streams} streams, ` +
      `${(playback.durationMs / 1000).toFixed(1)} s, ${playback.encrypted ? 'AES-128' : 'clear'}` +
      (result.ok ? '' : `\n     ${result.errors.split('\n').slice(0, 3).join('\n     ')}`),
  );
}
console.log(
  `\n${rows.length - failed} of ${rows.length} ready episodes decode end to end ` +
    `(${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
await app.close();
await database.close();
process.exit(failed === 0 && rows.length > 0 ? 0 : 1);
