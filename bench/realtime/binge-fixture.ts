/**
 * What our gateway needs before a danmu can be published: a PostgreSQL database of its own
 * (migrated by `openDatabase`), a published series with one episode, a user per publisher, signed
 * in (a session row each) with an access token. The database is dropped again by `drop()`.
 *
 * The episode gets a random 9-digit id, so the channel `danmu:<id>` (and the Redis keys and pub/sub
 * channels derived from it) cannot meet those of a test running on the same Redis.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { deriveAccessTokenKey, signAccessToken } from '@binge/core/auth/access-token';
import { newSessionId } from '@binge/core/auth/opaque-token';
import { openDatabase } from '@binge/core/db';
import { authSessions, categories, episodes, series, users } from '@binge/core/db/schema';
import pg from 'pg';

export interface BingeFixture {
  databaseUrl: string;
  databaseName: string;
  authSecret: string;
  episodeId: number;
  room: string;
  publishers: { userId: number; token: string }[];
  drop(): Promise<void>;
}

/** PostgreSQL backends serving `databaseName` now (their CPU is part of our gateway's cost). */
export async function backendPids(adminUrl: string, databaseName: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1',
      [databaseName],
    );
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

async function admin(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createBingeFixture(
  adminUrl: string,
  publisherCount: number,
  tokenTtlMs: number,
): Promise<BingeFixture> {
  const name = `binge_bench_rt_${randomBytes(5).toString('hex')}`;
  await admin(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const drop = () => admin(adminUrl, `drop database if exists ${name} with (force)`);
  try {
    const handle = await openDatabase({ databaseUrl, pgliteDir: 'memory://', poolSize: 2 });
    try {
      const { db } = handle;
      const slug = name.replaceAll('_', '-');
      const [category] = await db
        .insert(categories)
        .values({ slug, nameEn: 'Benchmark', nameZh: '基准' })
        .returning({ id: categories.id });
      const [show] = await db
        .insert(series)
        .values({
          slug,
          titleEn: 'Realtime benchmark',
          titleZh: '实时基准',
          synopsisEn: 'Danmu under load',
          synopsisZh: '弹幕压测',
          categoryId: category!.id,
          status: 'published',
          publishedAt: new Date(),
        })
        .returning({ id: series.id });
      const episodeId = randomInt(100_000_000, 1_000_000_000);
      await db.insert(episodes).values({
        id: episodeId,
        seriesId: show!.id,
        number: 1,
        titleEn: 'Episode 1',
        titleZh: '第1集',
        durationMs: 600_000,
        status: 'ready',
        publishedAt: new Date(),
      });
      const inserted = await db
        .insert(users)
        .values(
          Array.from({ length: publisherCount }, (_, i) => ({
            handle: `bench-rt-${i}`,
            displayName: `Publisher ${i}`,
          })),
        )
        .returning({ id: users.id });
      const authSecret = randomBytes(32).toString('base64url');
      const key = deriveAccessTokenKey(authSecret);
      const sessions = inserted.map(({ id }) => ({ id: newSessionId(), userId: id }));
      await db.insert(authSessions).values(
        sessions.map((session) => ({
          ...session,
          deviceName: 'Benchmark',
          expiresAt: new Date(Date.now() + tokenTtlMs + 3600_000),
        })),
      );
      const publishers = await Promise.all(
        sessions.map(async (session) => ({
          userId: session.userId,
          token: (
            await signAccessToken(key, {
              userId: session.userId,
              sessionId: session.id,
              role: 'viewer',
              ttlSeconds: Math.ceil(tokenTtlMs / 1000),
            })
          ).token,
        })),
      );
      return {
        databaseUrl,
        databaseName: name,
        authSecret,
        episodeId,
        room: `danmu:${episodeId}`,
        publishers,
        drop,
      };
    } finally {
      await handle.close();
    }
  } catch (error) {
    await drop();
    throw error;
  }
}
