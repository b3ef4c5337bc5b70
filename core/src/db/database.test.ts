import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { migrationsFolder, openDatabase, type DatabaseHandle } from './database.ts';
import { categories, episodes, series } from './schema.ts';
import { openTestDatabase, testPostgresUrl } from './test-database.ts';

/** The error a driver raises can be wrapped by drizzle; the PostgreSQL detail sits in `cause`. */
function pgError(error: unknown): { code?: string; constraint?: string } {
  const candidate = error as { code?: string; constraint?: string; cause?: unknown };
  if (candidate.code) return candidate;
  return (candidate.cause ?? {}) as { code?: string; constraint?: string };
}

/** Both drivers answer raw SQL with `{ rows }`; the shared Database type leaves it unknown. */
async function query<T>(handle: DatabaseHandle, statement: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await handle.db.execute(statement)) as unknown as { rows: T[] };
  return result.rows;
}

async function tableNames(handle: DatabaseHandle): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    handle,
    sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
  );
  return rows.map((row) => row.table_name);
}

/** How many migrations core/migrations holds (drizzle-kit's journal). */
function journalEntries(): number {
  const journal = JSON.parse(
    readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
  ) as { entries: unknown[] };
  return journal.entries.length;
}

async function migrationCount(handle: DatabaseHandle): Promise<number> {
  const rows = await query<{ n: number }>(
    handle,
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  return rows[0]!.n;
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`database on ${kind}`, () => {
    let handle: DatabaseHandle;
    before(async () => {
      handle = await openTestDatabase(kind);
    });
    after(() => handle.close());

    test('migrations create the schema', async () => {
      await handle.ping();
      const tables = await tableNames(handle);
      for (const table of [
        'users',
        'series',
        'episodes',
        'media_assets',
        'renditions',
        'queue_jobs',
      ]) {
        assert.ok(tables.includes(table), `missing table ${table}`);
      }
      assert.ok((await migrationCount(handle)) >= 1);
    });

    test('check constraints reject a negative price and keep the data intact', async () => {
      const [category] = await handle.db
        .insert(categories)
        .values({ slug: 'romance', nameEn: 'Romance', nameZh: '爱情' })
        .returning();
      const [show] = await handle.db
        .insert(series)
        .values({
          slug: 'ceo',
          titleEn: 'The CEO',
          titleZh: '总裁',
          synopsisEn: 's',
          synopsisZh: 's',
          categoryId: category!.id,
        })
        .returning();
      const [episode] = await handle.db
        .insert(episodes)
        .values({ seriesId: show!.id, number: 1, titleEn: 'One', titleZh: '一', priceCoins: 30 })
        .returning();

      await assert.rejects(
        handle.db
          .insert(episodes)
          .values({ seriesId: show!.id, number: 2, titleEn: 'Two', titleZh: '二', priceCoins: -5 }),
        (error: unknown) => {
          assert.equal(pgError(error).code, '23514'); // check_violation
          assert.equal(pgError(error).constraint, 'episodes_price_nonnegative');
          return true;
        },
      );
      await assert.rejects(
        handle.db.update(episodes).set({ priceCoins: -1 }).where(eq(episodes.id, episode!.id)),
        (error: unknown) => pgError(error).code === '23514',
      );
      await assert.rejects(
        handle.db.update(series).set({ seriesPriceCoins: -100 }).where(eq(series.id, show!.id)),
        (error: unknown) => pgError(error).constraint === 'series_price_nonnegative',
      );

      const rows = await handle.db.select().from(episodes).where(eq(episodes.seriesId, show!.id));
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.priceCoins, 30);
      const [kept] = await handle.db.select().from(series).where(eq(series.id, show!.id));
      assert.equal(kept!.seriesPriceCoins, null);
    });
  });
}

test('opening an already migrated PGlite directory again is a no-op', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'binge-pglite-'));
  try {
    const first = await openDatabase({ databaseUrl: undefined, pgliteDir: dir });
    await first.db.insert(categories).values({ slug: 'kept', nameEn: 'Kept', nameZh: '保留' });
    const count = await migrationCount(first);
    const tables = await tableNames(first);
    await first.close();

    const second = await openDatabase({ databaseUrl: undefined, pgliteDir: dir });
    try {
      assert.equal(await migrationCount(second), count);
      assert.deepEqual(await tableNames(second), tables);
      const rows = await second.db.select().from(categories);
      assert.deepEqual(
        rows.map((row) => row.slug),
        ['kept'],
      );
    } finally {
      await second.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('opening an already migrated PostgreSQL database again is a no-op', async () => {
  const name = `binge_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testPostgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  try {
    const first = await openDatabase({
      databaseUrl: url.toString(),
      pgliteDir: 'memory://',
      poolSize: 2,
    });
    await first.db.insert(categories).values({ slug: 'kept', nameEn: 'Kept', nameZh: '保留' });
    const count = await migrationCount(first);
    const tables = await tableNames(first);
    await first.close();

    const second = await openDatabase({
      databaseUrl: url.toString(),
      pgliteDir: 'memory://',
      poolSize: 2,
    });
    try {
      assert.equal(await migrationCount(second), count);
      assert.deepEqual(await tableNames(second), tables);
      assert.deepEqual(
        (await second.db.select().from(categories)).map((row) => row.slug),
        ['kept'],
      );
    } finally {
      await second.close();
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
});

test('processes starting together on a fresh PostgreSQL database migrate it once', async () => {
  const name = `binge_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testPostgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  try {
    // Without the advisory lock these race on `create table` and all but one fail.
    const handles = await Promise.all(
      Array.from({ length: 4 }, () =>
        openDatabase({ databaseUrl: url.toString(), pgliteDir: 'memory://', poolSize: 1 }),
      ),
    );
    try {
      // Each migration applied exactly once, however many processes raced.
      const expected = journalEntries();
      for (const handle of handles) assert.equal(await migrationCount(handle), expected);
      assert.ok((await tableNames(handles[0]!)).includes('episodes'));
    } finally {
      await Promise.all(handles.map((handle) => handle.close()));
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
});
