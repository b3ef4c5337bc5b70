import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { count, eq, sum } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/database.ts';
import { pointBalances, pointsLedger } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { createSqlPointsLedger, PointsUserNotFoundError } from './ledger-sql.ts';
import { IdempotencyKeyReusedError, InsufficientPointsError, type PointsLedger } from './ledger.ts';

const missingId = 2_147_483_647;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`SQL points ledger on ${kind}`, () => {
    let handle: DatabaseHandle;
    let ledger: PointsLedger;
    let seed: TestSeeder;

    before(async () => {
      handle = await openTestDatabase(kind);
      ledger = createSqlPointsLedger(handle.db);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    /** The ledger explains the balance: entries sum to it and each carries the running total. */
    async function assertConsistent(userId: number): Promise<number> {
      const [total] = await handle.db
        .select({ sum: sum(pointsLedger.delta) })
        .from(pointsLedger)
        .where(eq(pointsLedger.userId, userId));
      const balance = await ledger.balance(userId);
      assert.equal(Number(total?.sum ?? 0), balance);
      const entries = (await ledger.history(userId, null, 1_000)).items.reverse();
      let running = 0;
      for (const entry of entries) {
        running += entry.delta;
        assert.equal(entry.balanceAfter, running, `entry ${entry.id}`);
        assert.ok(entry.balanceAfter >= 0);
      }
      return balance;
    }

    test('earning and spending move the balance and append entries with the running balance', async () => {
      const user = await seed.user();
      assert.equal(await ledger.balance(user), 0);
      const earned = await ledger.post(user, {
        delta: 50,
        reason: 'check_in',
        idempotencyKey: 'a',
      });
      assert.equal(earned.replayed, false);
      assert.equal(earned.entry.balanceAfter, 50);
      assert.equal(earned.entry.userId, user);
      assert.match(earned.entry.id, /^[1-9][0-9]*$/);
      const spent = await ledger.post(user, {
        delta: -30,
        reason: 'reward:x',
        idempotencyKey: 'b',
      });
      assert.equal(spent.entry.balanceAfter, 20);
      assert.equal(await ledger.balance(user), 20);
      assert.equal(await assertConsistent(user), 20);
    });

    test('a retried key returns the original entry; another change under it is refused', async () => {
      const user = await seed.user();
      const first = await ledger.post(user, { delta: 40, reason: 'task:x', idempotencyKey: 'k' });
      const retry = await ledger.post(user, { delta: 40, reason: 'task:x', idempotencyKey: 'k' });
      assert.deepEqual(retry, { entry: first.entry, replayed: true });
      for (const change of [
        { delta: 41, reason: 'task:x' },
        { delta: 40, reason: 'task:y' },
      ])
        await assert.rejects(
          ledger.post(user, { ...change, idempotencyKey: 'k' }),
          IdempotencyKeyReusedError,
        );
      assert.equal(await ledger.balance(user), 40);
      // Keys are per user: another user's 'k' is theirs.
      const other = await seed.user();
      assert.equal(
        (await ledger.post(other, { delta: 5, reason: 'task:x', idempotencyKey: 'k' })).replayed,
        false,
      );
    });

    test('a spend past the balance is refused and writes nothing, not even a balance row', async () => {
      const user = await seed.user();
      await assert.rejects(
        ledger.post(user, { delta: -1, reason: 'reward:x', idempotencyKey: 'spend' }),
        (error: unknown) =>
          error instanceof InsufficientPointsError && error.balance === 0 && error.delta === -1,
      );
      const rows = await handle.db
        .select({ n: count() })
        .from(pointBalances)
        .where(eq(pointBalances.userId, user));
      assert.equal(rows[0]!.n, 0);
      await ledger.post(user, { delta: 10, reason: 'check_in', idempotencyKey: 'earn' });
      await assert.rejects(
        ledger.post(user, { delta: -11, reason: 'reward:x', idempotencyKey: 'spend' }),
        InsufficientPointsError,
      );
      // The refused key stays free: the same spend succeeds once the balance covers it.
      const ok = await ledger.post(user, { delta: -10, reason: 'reward:x', idempotencyKey: 'x' });
      assert.equal(ok.entry.balanceAfter, 0);
      assert.equal(await assertConsistent(user), 0);
    });

    test('parallel spends never overdraw, and parallel retries of one key land once', async () => {
      const user = await seed.user();
      await ledger.post(user, { delta: 100, reason: 'grant', idempotencyKey: 'grant' });
      // 25 different spends of 10 against 100 points: exactly 10 can pass.
      const spends = await Promise.allSettled(
        Array.from({ length: 25 }, (_, i) =>
          ledger.post(user, { delta: -10, reason: 'reward:x', idempotencyKey: `spend-${i}` }),
        ),
      );
      const passed = spends.filter((s) => s.status === 'fulfilled');
      assert.equal(passed.length, 10);
      for (const s of spends)
        if (s.status === 'rejected') assert.ok(s.reason instanceof InsufficientPointsError);
      assert.equal(await assertConsistent(user), 0);

      await ledger.post(user, { delta: 100, reason: 'grant', idempotencyKey: 'grant-2' });
      const retries = await Promise.all(
        Array.from({ length: 12 }, () =>
          ledger.post(user, { delta: -30, reason: 'reward:y', idempotencyKey: 'once' }),
        ),
      );
      assert.equal(retries.filter((r) => !r.replayed).length, 1);
      assert.equal(new Set(retries.map((r) => r.entry.id)).size, 1);
      assert.equal(await assertConsistent(user), 70);
    });

    test('history pages newest first with a cursor', async () => {
      const user = await seed.user();
      for (let i = 1; i <= 5; i += 1)
        await ledger.post(user, { delta: i, reason: 'grant', idempotencyKey: `g${i}` });
      const first = await ledger.history(user, null, 2);
      assert.deepEqual(
        first.items.map((e) => e.delta),
        [5, 4],
      );
      assert.ok(first.next !== null);
      const second = await ledger.history(user, first.next, 10);
      assert.deepEqual(
        second.items.map((e) => e.delta),
        [3, 2, 1],
      );
      assert.equal(second.next, null);
      assert.deepEqual((await ledger.history(await seed.user(), null, 10)).items, []);
    });

    test('bad input is a RangeError or a missing user, and never reaches SQL', async () => {
      const user = await seed.user();
      await assert.rejects(
        ledger.post(missingId, { delta: 1, reason: 'grant', idempotencyKey: 'x' }),
        PointsUserNotFoundError,
      );
      for (const userId of [0, -1, 1.5, 2 ** 31])
        await assert.rejects(
          ledger.post(userId, { delta: 1, reason: 'grant', idempotencyKey: 'x' }),
          RangeError,
        );
      await assert.rejects(
        ledger.post(user, { delta: 0, reason: 'grant', idempotencyKey: 'x' }),
        RangeError,
      );
      for (const cursor of ['0', 'abc', '-1', '99999999999999999'])
        await assert.rejects(ledger.history(user, cursor, 10), RangeError, cursor);
      for (const limit of [0, 1_001, 1.5]) await assert.rejects(ledger.history(user, null, limit));
      assert.equal(await ledger.balance(user), 0);
    });
  });
}
