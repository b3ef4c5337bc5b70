import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { openTestDatabase, type TestDatabase } from '@binge/core/db/testing';
import { rowsOf } from '../features/sql-params.ts';
import {
  dayPartitionName,
  dropExpiredPartitions,
  ensureDayPartitions,
  startOfUtcDay,
} from './partitions.ts';

const DAY = 86_400_000;

test('day partition names and UTC day starts', () => {
  const at = new Date('2026-11-23T23:59:59.999Z');
  assert.equal(startOfUtcDay(at).toISOString(), '2026-11-23T00:00:00.000Z');
  assert.equal(dayPartitionName('watch_events', at), 'watch_events_p20261123');
  assert.equal(
    dayPartitionName('feed_impressions', new Date('2027-01-02T00:00:00Z')),
    'feed_impressions_p20270102',
  );
});

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`day partitions on ${kind}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await openTestDatabase(kind);
    });
    after(() => database.close());

    const partitionsOf = async (table: string) =>
      (
        await rowsOf<{ name: string }>(
          database.db.execute(sql`select c.relname as name from pg_inherits i
            join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
            where p.relname = ${table} order by 1`),
        )
      ).map((r) => r.name);

    const insertEvent = (id: string, at: string) =>
      database.db.execute(sql`insert into watch_events (received_at, id, user_id, episode_id,
          series_id, type, position_ms, duration_ms, client_at, source)
        values (${at}::timestamptz, ${id}, 1, 1, 1, 'start', 0, 0, ${at}::timestamptz, 'ws')`);

    const partitionOfRow = async (id: string) =>
      (
        await rowsOf<{ part: string }>(
          database.db.execute(
            sql`select tableoid::regclass::text as part from watch_events where id = ${id}`,
          ),
        )
      )[0]?.part;

    test('days are created once, rows land in their day, and creating again is a no-op', async () => {
      const created = await ensureDayPartitions(
        database.db,
        'watch_events',
        new Date('2026-03-01T15:00:00Z'),
        3,
      );
      assert.deepEqual(created, [
        'watch_events_p20260301',
        'watch_events_p20260302',
        'watch_events_p20260303',
      ]);
      assert.deepEqual(
        await ensureDayPartitions(database.db, 'watch_events', new Date('2026-03-02T00:00:00Z'), 2),
        [],
      );
      await insertEvent('a', '2026-03-02T23:59:59.999Z');
      await insertEvent('b', '2026-03-04T00:00:00Z');
      assert.equal(await partitionOfRow('a'), 'watch_events_p20260302');
      assert.equal(await partitionOfRow('b'), 'watch_events_default');
      await ensureDayPartitions(database.db, 'feed_impressions', new Date('2026-03-01Z'), 1);
      assert.deepEqual(await partitionsOf('feed_impressions'), [
        'feed_impressions_default',
        'feed_impressions_p20260301',
      ]);
    });

    test('concurrent creators of the same days all succeed', async () => {
      const results = await Promise.all(
        Array.from({ length: 4 }, () =>
          ensureDayPartitions(database.db, 'watch_events', new Date('2026-05-10Z'), 3),
        ),
      );
      assert.equal(results.flat().length >= 3, true);
      const names = (await partitionsOf('watch_events')).filter((n) => n.includes('202605'));
      assert.deepEqual(names, [
        'watch_events_p20260510',
        'watch_events_p20260511',
        'watch_events_p20260512',
      ]);
    });

    test('a day whose rows already sit in the default partition is left there, without failing', async () => {
      await insertEvent('early', '2026-06-01T08:00:00Z');
      assert.deepEqual(
        await ensureDayPartitions(database.db, 'watch_events', new Date('2026-06-01Z'), 2),
        ['watch_events_p20260602'],
      );
      assert.equal(await partitionOfRow('early'), 'watch_events_default');
      await insertEvent('later', '2026-06-01T09:00:00Z');
      assert.equal(await partitionOfRow('later'), 'watch_events_default');
    });

    test('partitions older than the retention go, with the default partition’s old rows', async () => {
      const today = new Date('2026-09-20T10:00:00Z');
      await ensureDayPartitions(
        database.db,
        'watch_events',
        new Date(today.getTime() - 12 * DAY),
        13,
      );
      await insertEvent('old-default', '2026-08-01T00:00:00Z');
      await insertEvent('kept', '2026-09-15T00:00:00Z');
      const dropped = await dropExpiredPartitions(database.db, 'watch_events', 10, today);
      // Everything before 2026-09-10 went, the earlier tests' days included.
      assert.ok(dropped.includes('watch_events_p20260908'));
      assert.ok(dropped.includes('watch_events_p20260909'));
      assert.ok(dropped.includes('watch_events_p20260301'));
      assert.ok(!dropped.some((name) => name >= 'watch_events_p20260910'));
      const left = (await partitionsOf('watch_events')).filter((n) => n !== 'watch_events_default');
      assert.equal(left[0], 'watch_events_p20260910');
      assert.equal(left.length, 11);
      assert.equal(await partitionOfRow('old-default'), undefined);
      assert.equal(await partitionOfRow('kept'), 'watch_events_p20260915');
      assert.deepEqual(await dropExpiredPartitions(database.db, 'watch_events', 10, today), []);
    });

    test('only the event tables and sane retentions are accepted', async () => {
      await assert.rejects(
        ensureDayPartitions(database.db, 'users' as 'watch_events', new Date(), 1),
        RangeError,
      );
      await assert.rejects(
        dropExpiredPartitions(database.db, 'watch_events', 0, new Date()),
        RangeError,
      );
    });
  });
}
