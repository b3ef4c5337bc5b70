import { sql } from 'drizzle-orm';
import type { Database } from '@binge/core/db';
import type { Logger } from '@binge/core/log';

/**
 * Day partitions of the event tables (core/migrations/0005_ranker.sql declares them PARTITION BY
 * RANGE with a DEFAULT partition): `watch_events_p20261123` holds [2026-11-23, 2026-11-24) UTC.
 * The consumer creates the days it is about to write (and a day ahead), so rows land in their
 * own day and retention is a DROP TABLE instead of a DELETE over millions of rows; the default
 * partition only catches what arrives for a day whose partition could not be made.
 *
 * Several processes create partitions at once (api replicas logging impressions, consumers): a
 * creator that loses the race gets "already exists" and is content. A day whose rows already sit
 * in the default partition cannot get its own partition (PostgreSQL refuses: the default's rows
 * would violate the new bound); that is logged and the day stays in the default.
 */
export const PARTITIONED_TABLES = {
  watch_events: 'received_at',
  feed_impressions: 'served_at',
} as const;
export type PartitionedTable = keyof typeof PARTITIONED_TABLES;

const DAY_MS = 86_400_000;

export function startOfUtcDay(at: Date | number): Date {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS);
}

export function dayPartitionName(table: PartitionedTable, day: Date): string {
  const iso = startOfUtcDay(day).toISOString();
  return `${table}_p${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
}

function checkTable(table: string): asserts table is PartitionedTable {
  if (!Object.hasOwn(PARTITIONED_TABLES, table))
    throw new RangeError(`not a day-partitioned table: ${table}`);
}

/** The PostgreSQL error code (SQLSTATE) of a failed statement, through drizzle's wrapping. */
export function sqlStateOf(error: unknown): string | undefined {
  for (
    let e: unknown = error, depth = 0;
    e !== null && typeof e === 'object' && depth < 5;
    depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** 42P07 duplicate_table; 23505 unique_violation on pg_type when two creators race. */
const ALREADY_THERE = new Set(['42P07', '23505']);
/** 23514: the default partition holds rows of the day; 42P17: another partition overlaps it. */
const CANNOT_PARTITION = new Set(['23514', '42P17']);

/**
 * Makes sure `table` has a partition for each of `days` days from `fromDay` (UTC); answers the
 * names it created. Idempotent and safe to run from several processes at once.
 */
export async function ensureDayPartitions(
  db: Database,
  table: PartitionedTable,
  fromDay: Date,
  days: number,
  logger?: Logger,
): Promise<string[]> {
  checkTable(table);
  const created: string[] = [];
  const first = startOfUtcDay(fromDay).getTime();
  for (let i = 0; i < days; i += 1) {
    const from = new Date(first + i * DAY_MS);
    const to = new Date(first + (i + 1) * DAY_MS);
    const name = dayPartitionName(table, from);
    const [exists] = (
      (await db.execute(sql`select to_regclass(${name}) is not null as found`)) as {
        rows: { found: boolean }[];
      }
    ).rows;
    if (exists?.found) continue;
    try {
      // Names and bounds come from a checked table name and dates, never from input.
      await db.execute(
        sql.raw(
          `create table if not exists "${name}" partition of "${table}" ` +
            `for values from ('${from.toISOString()}') to ('${to.toISOString()}')`,
        ),
      );
      created.push(name);
    } catch (error) {
      const state = sqlStateOf(error);
      if (state !== undefined && ALREADY_THERE.has(state)) continue;
      if (state !== undefined && CANNOT_PARTITION.has(state)) {
        logger?.warn(
          { err: error, table, partition: name },
          'day partition not created; its rows stay in the default partition',
        );
        continue;
      }
      throw error;
    }
  }
  return created;
}

/**
 * Drops the day partitions of `table` older than `retentionDays` before the day of `now`, and
 * deletes the default partition's rows as old; answers the partitions dropped.
 */
export async function dropExpiredPartitions(
  db: Database,
  table: PartitionedTable,
  retentionDays: number,
  now: Date,
  logger?: Logger,
): Promise<string[]> {
  checkTable(table);
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    throw new RangeError(`retentionDays must be a positive integer, got ${retentionDays}`);
  const cutoff = new Date(startOfUtcDay(now).getTime() - retentionDays * DAY_MS);
  const cutoffName = dayPartitionName(table, cutoff);
  const { rows } = (await db.execute(sql`select c.relname as name
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class p on p.oid = i.inhparent
      where p.relname = ${table}`)) as { rows: { name: string }[] };
  const pattern = new RegExp(`^${table}_p\\d{8}$`);
  // Same-length names of one table sort as their dates do.
  const expired = rows
    .map((row) => row.name)
    .filter((name) => pattern.test(name) && name < cutoffName)
    .sort();
  for (const name of expired) {
    await db.execute(sql.raw(`drop table if exists "${name}"`));
    logger?.info({ table, partition: name }, 'dropped an expired day partition');
  }
  await db.execute(
    sql.raw(
      `delete from "${table}_default" where "${PARTITIONED_TABLES[table]}" < '${cutoff.toISOString()}'`,
    ),
  );
  return expired;
}
