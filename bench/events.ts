/**
 * Event ingestion (issue 5): watch events per second from gateway WebSocket clients to committed
 * rows of watch_events, on the scaled path (PostgreSQL + the Redis stream) and on the embedded
 * one (PGlite + the in-memory stream), side by side in one run on one machine.
 *
 * Each run: CONNECTIONS signed-in viewers (one user each) send `watch` frames of 50 events (a
 * realistic mix: heartbeats mostly, starts, pauses, seeks, completes, likes) over /ws, keeping up
 * to 4 frames in flight per connection, EVENTS events in all. The gateway's ingester checks each
 * event and appends it to the stream; the ranker's consumer (batches of 500, features updated in
 * the same transaction, as on the platform) stores them. Measured from the first frame sent:
 *
 *   - acked/s: events answered by watchAck (checked, deduped, in the stream);
 *   - committed/s: events committed to watch_events (the consumer's count after commit).
 *
 * Gateway, consumer and clients share this process (as on the embedded platform); PostgreSQL and
 * Redis are the local servers. RUNS runs per path, medians printed, and the ratio of the two.
 *
 *   npm run bench:events              # 16 connections, 20,000 events, 3 runs per path
 *   npm run bench:events -- --quick   # 8 connections, 4,000 events, 3 runs
 *   npm run bench:events -- --no-features   # the consumer stores rows only (the features' cost)
 *
 * Env: CONNECTIONS, EVENTS, RUNS, TEST_DATABASE_URL / REDIS_URL (defaults: the local servers).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { inArray, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { episodes } from '@binge/core/db/schema';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLogger } from '@binge/core/log';
import { FrameType } from '@binge/core/protocol/realtime/frames';
import { createWatchEventPipeline } from '@binge/core/watch-events/pipeline';
import { createEventConsumer } from '../feed-ranker/src/events/consumer.ts';
import { rtToken, seedWorld } from '../realtime/src/testing/fixtures.ts';
import { connectRaw, type RawClient } from '../realtime/src/testing/raw-client.ts';
import { startTestNode } from '../realtime/src/testing/test-node.ts';
import { median } from './support/load.ts';

const quick = process.argv.includes('--quick');
const features = !process.argv.includes('--no-features');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CONNECTIONS = env('CONNECTIONS', quick ? 8 : 16);
const EVENTS = env('EVENTS', quick ? 4_000 : 20_000);
const RUNS = env('RUNS', 3);
const BATCH = 50;
const IN_FLIGHT = 4;
const EPISODES = 20;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = createLogger({ level: 'silent' });

interface RunFigures {
  ackedPerSecond: number;
  committedPerSecond: number;
  rejected: number;
}

/** The mix a player sends: a heartbeat every few seconds dominates. */
const MIX = [
  ...Array<string>(36).fill('heartbeat'),
  ...Array<string>(4).fill('start'),
  ...Array<string>(3).fill('pause'),
  'seek',
  'seek',
  ...Array<string>(3).fill('complete'),
  'like',
  'swipe',
];

let eventCounter = 0;
function eventFor(t: string, episodeId: number) {
  eventCounter += 1;
  return {
    id: `b${randomBytes(4).toString('hex')}${eventCounter}`,
    t,
    eid: episodeId,
    pos: t === 'start' ? 0 : t === 'complete' ? 120_000 : (eventCounter * 7919) % 110_000,
    at: Date.now() - (eventCounter % 1000),
    ...(t === 'seek' ? { from: 1_000 } : {}),
  };
}

async function measurePath(kind: 'pglite' | 'postgres'): Promise<RunFigures[]> {
  const database = await openTestDatabase(kind);
  const redis = kind === 'postgres' ? new Redis(redisUrl) : undefined;
  const prefix = `binge-bench-${randomBytes(4).toString('hex')}:`;
  const world = await seedWorld(database.db, { users: CONNECTIONS, episodes: EPISODES });
  await database.db
    .update(episodes)
    .set({ status: 'ready' })
    .where(inArray(episodes.id, world.episodeIds));
  const pipeline = createWatchEventPipeline(
    { redisUrl: undefined, redisPrefix: prefix, watchEventsPerMinute: 100_000 },
    { db: database.db, redis, logger: quiet },
  );
  const consumer = createEventConsumer({
    db: database.db,
    stream: pipeline.stream,
    logger: quiet,
    name: 'bench',
    blockMs: 100,
    ...(features ? {} : { onStored: async () => undefined }),
  });
  await consumer.start();
  const node = await startTestNode({
    db: database.db,
    watchIngester: pipeline.ingester,
    ...(redis ? { redisUrl, redisPrefix: prefix } : {}),
  });
  const clients: RawClient[] = [];
  for (const userId of world.users) {
    const client = await connectRaw(node.url);
    await client.hello(rtToken(userId));
    clients.push(client);
  }

  const figures: RunFigures[] = [];
  try {
    for (let run = 0; run < RUNS; run += 1) {
      const storedBefore = consumer.stats().stored;
      const perClient = Math.ceil(EVENTS / BATCH / clients.length);
      let acked = 0;
      let rejected = 0;
      const started = performance.now();
      await Promise.all(
        clients.map(async (client, c) => {
          let next = 0;
          const lane = async () => {
            while (next < perClient) {
              next += 1;
              const ev = Array.from({ length: BATCH }, (_, i) =>
                eventFor(
                  MIX[(c + i + next) % MIX.length]!,
                  world.episodeIds[(c + next) % EPISODES]!,
                ),
              );
              const reply = await client.request(FrameType.watch, { ev });
              if (reply.type !== FrameType.watchAck)
                throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
              acked += reply.payload.n;
              rejected += reply.payload.rej.length;
              // The raw client keeps every frame; a long run would hold them all.
              client.frames.length = 0;
            }
          };
          await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
        }),
      );
      const ackedAt = performance.now();
      while (consumer.stats().stored - storedBefore < acked)
        await new Promise((resolve) => setTimeout(resolve, 5));
      const committedAt = performance.now();
      figures.push({
        ackedPerSecond: acked / ((ackedAt - started) / 1000),
        committedPerSecond: acked / ((committedAt - started) / 1000),
        rejected,
      });
      console.log(
        `  ${kind} run ${run + 1}: ${acked} events, acked ${Math.round(figures.at(-1)!.ackedPerSecond)}/s, committed ${Math.round(figures.at(-1)!.committedPerSecond)}/s`,
      );
    }
    const [row] = (
      (await database.db.execute(sql`select count(*)::int as n from watch_events`)) as {
        rows: { n: number }[];
      }
    ).rows;
    console.log(`  ${kind}: ${row!.n} rows in watch_events`);
  } finally {
    for (const client of clients) client.close();
    await node.close();
    await consumer.stop();
    await pipeline.close();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    await database.close();
  }
  return figures;
}

console.log(
  `Event ingestion: ${CONNECTIONS} connections, ${EVENTS} events per run in frames of ${BATCH}, ` +
    `${RUNS} runs per path, ${features ? 'with' : 'without'} feature updates\n`,
);
const scaled = await measurePath('postgres');
const embedded = await measurePath('pglite');

const med = (runs: RunFigures[], key: 'ackedPerSecond' | 'committedPerSecond') =>
  median(runs.map((r) => r[key]));
const fmt = (value: number) => Math.round(value).toLocaleString('en-US');
const rows: [string, string, string, string][] = [
  ['', 'PostgreSQL + Redis', 'PGlite + memory', 'scaled / embedded'],
  ...(['ackedPerSecond', 'committedPerSecond'] as const).map(
    (key): [string, string, string, string] => [
      key === 'ackedPerSecond' ? 'acked events/s (median)' : 'committed events/s (median)',
      fmt(med(scaled, key)),
      fmt(med(embedded, key)),
      `${(med(scaled, key) / med(embedded, key)).toFixed(2)}×`,
    ],
  ),
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log('');
for (const row of rows)
  console.log(
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  '),
  );
const refused = [...scaled, ...embedded].reduce((sum, r) => sum + r.rejected, 0);
if (refused > 0)
  console.log(`\n${refused} events were refused (budget or checks): see the runs above`);
