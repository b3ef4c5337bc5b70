import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from './database.ts';

/**
 * Opens a fresh, migrated database for one test file: a throwaway PGlite in memory, or a new
 * database on the real PostgreSQL server (TEST_DATABASE_URL, else the local server's `postgres`
 * maintenance database) that is dropped again on close. Tests never share tables.
 */
export const testPostgresUrl =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A test database; `url` is set for PostgreSQL, so other processes can open the same one. */
export type TestDatabase = DatabaseHandle & { url?: string };

export async function openTestDatabase(kind: 'pglite' | 'postgres'): Promise<TestDatabase> {
  if (kind === 'pglite') return openDatabase({ databaseUrl: undefined, pgliteDir: 'memory://' });
  const name = `binge_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testPostgresUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({
    databaseUrl: url.toString(),
    pgliteDir: 'memory://',
    poolSize: 4,
  });
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close();
      const dropper = new pg.Client({ connectionString: testPostgresUrl });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
