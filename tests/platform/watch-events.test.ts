import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { openDatabase } from '@binge/core/db';
import { seriesActivityHourly, userFeatures } from '@binge/core/db/schema';
import { createTestSeeder } from '@binge/core/db/test-seed';
import type { AuthSession } from '@binge/core/protocol/catalog';
import { FrameType, PROTOCOL_VERSION } from '@binge/core/protocol/realtime/frames';
import { startPlatform, type Platform } from '../../bin/platform.ts';
import { connectRaw } from '../../realtime/src/testing/raw-client.ts';

/**
 * Watch events through the embedded platform from outside: over HTTP and over `/ws`, through the
 * in-memory stream and the consumer into PGlite; a clean stop stores whatever the stream still
 * holds, so the events are in the database when it is opened again.
 */
let dataDir: string;
let platform: Platform;
let episodeId: number;
let seriesId: number;
let n = 0;
const event = (t: string, pos: number) => ({
  id: `pe-${randomBytes(5).toString('hex')}-${++n}`,
  t,
  eid: episodeId,
  pos,
  at: Date.now(),
});

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'binge-watch-'));
  platform = await startPlatform({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DEMO_SEED: 'false',
    MEDIA_WORKER: 'false',
    RANKER_TRAIN_MINUTES: '0',
    LOG_LEVEL: 'warn',
  });
  const seed = createTestSeeder(platform.database.db);
  seriesId = await seed.series();
  episodeId = await seed.episode(seriesId, 1, true);
});

after(async () => {
  await platform?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('events sent over HTTP and /ws are in the database after a clean stop', async () => {
  const guest = await fetch(`${platform.url}/api/v1/auth/guest`, { method: 'POST' });
  assert.equal(guest.status, 201);
  const session = (await guest.json()) as AuthSession;

  const response = await fetch(`${platform.url}/api/v1/events`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${session.accessToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      events: [event('start', 0), event('heartbeat', 5_000), event('dance', 1)],
    }),
  });
  assert.equal(response.status, 202);
  const ack = (await response.json()) as { n: number; rej: { c: string }[] };
  assert.equal(ack.n, 2);
  assert.deepEqual(
    ack.rej.map((r) => r.c),
    ['UNKNOWN_TYPE'],
  );

  const socket = await connectRaw(`${platform.url.replace('http', 'ws')}/ws`);
  const welcome = await socket.request(FrameType.hello, {
    v: PROTOCOL_VERSION,
    tk: session.accessToken,
  });
  assert.equal(welcome.type, FrameType.welcome);
  const watchAck = await socket.request(FrameType.watch, {
    ev: [event('heartbeat', 10_000), event('swipe', 12_000), event('start', 0)],
  });
  assert.deepEqual(watchAck.type === FrameType.watchAck && watchAck.payload, { n: 3, rej: [] });
  socket.close();

  await platform.stop();
  const reopened = await openDatabase({
    databaseUrl: undefined,
    pgliteDir: path.join(dataDir, 'pglite'),
  });
  try {
    const rows = (
      (await reopened.db.execute(
        sql`select type, source from watch_events where user_id = ${session.user.id} order by type`,
      )) as { rows: { type: string; source: string }[] }
    ).rows;
    assert.deepEqual(rows.map((r) => `${r.type}/${r.source}`).sort(), [
      'heartbeat/http',
      'heartbeat/ws',
      'start/http',
      'start/ws',
      'swipe/ws',
    ]);
    const [features] = await reopened.db
      .select()
      .from(userFeatures)
      .where(eq(userFeatures.userId, session.user.id));
    assert.equal(features?.starts, 2);
    const activity = await reopened.db
      .select({ views: seriesActivityHourly.views })
      .from(seriesActivityHourly)
      .where(eq(seriesActivityHourly.seriesId, seriesId));
    assert.equal(
      activity.reduce((sum, row) => sum + row.views, 0),
      2,
    );
  } finally {
    await reopened.close();
  }
});
