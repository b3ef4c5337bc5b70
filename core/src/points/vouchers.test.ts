import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { count, eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/database.ts';
import { vouchers } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { rewardOf } from '../protocol/points/rewards.ts';
import { createSqlPointsLedger } from './ledger-sql.ts';
import { IdempotencyKeyReusedError, InsufficientPointsError, type PointsLedger } from './ledger.ts';
import { createSqlVoucherStore } from './vouchers-sql.ts';
import {
  RewardNotFoundError,
  VoucherUnusableError,
  voucherStatus,
  type VoucherRefusal,
  type VoucherStore,
} from './vouchers.ts';

const dayMs = 86_400_000;

async function refused(promise: Promise<unknown>, reason: VoucherRefusal) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof VoucherUnusableError, String(error));
    assert.equal(error.reason, reason);
    return true;
  });
}

test('a voucher is usable until it expires, and used once used', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const later = new Date(now.getTime() + 1);
  assert.equal(voucherStatus({ usedAt: null, expiresAt: later }, now), 'usable');
  assert.equal(voucherStatus({ usedAt: null, expiresAt: now }, now), 'expired');
  assert.equal(voucherStatus({ usedAt: now, expiresAt: later }, now), 'used');
});

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`SQL vouchers on ${kind}`, () => {
    let handle: DatabaseHandle;
    let ledger: PointsLedger;
    let store: VoucherStore;
    let seed: TestSeeder;
    let n = 0;

    before(async () => {
      handle = await openTestDatabase(kind);
      ledger = createSqlPointsLedger(handle.db);
      store = createSqlVoucherStore(handle.db);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    async function userWith(points: number): Promise<number> {
      const user = await seed.user();
      if (points > 0)
        await ledger.post(user, { delta: points, reason: 'grant', idempotencyKey: `grant-${++n}` });
      return user;
    }

    async function voucherCount(userId: number): Promise<number> {
      const [row] = await handle.db
        .select({ n: count() })
        .from(vouchers)
        .where(eq(vouchers.userId, userId));
      return row!.n;
    }

    test('redeeming spends the cost and issues the reward’s voucher, valid 30 days', async () => {
      const user = await userWith(1_000);
      const now = new Date('2026-11-23T12:00:00Z');
      const reward = rewardOf('free_episode')!;
      const { voucher, entry, replayed } = await store.redeem(user, reward.id, 'key-1', now);
      assert.equal(replayed, false);
      assert.equal(entry.delta, -reward.cost);
      assert.equal(entry.reason, 'reward:free_episode');
      assert.equal(entry.balanceAfter, 1_000 - reward.cost);
      assert.equal(await ledger.balance(user), 1_000 - reward.cost);
      assert.equal(voucher.kind, 'free_episode');
      assert.equal(voucher.amount, 1);
      assert.equal(voucher.userId, user);
      assert.equal(voucher.expiresAt.getTime(), now.getTime() + 30 * dayMs);
      assert.equal(voucher.usedAt, null);
      assert.deepEqual(await store.get(voucher.id), voucher);
    });

    test('a retried key returns the same voucher; the key for another reward is refused', async () => {
      const user = await userWith(1_000);
      const first = await store.redeem(user, 'coin_coupon_10', 'retry-me');
      const again = await store.redeem(user, 'coin_coupon_10', 'retry-me');
      assert.equal(again.replayed, true);
      assert.deepEqual(again.voucher, first.voucher);
      assert.deepEqual(again.entry, first.entry);
      await assert.rejects(
        store.redeem(user, 'coin_coupon_30', 'retry-me'),
        IdempotencyKeyReusedError,
      );
      assert.equal(await voucherCount(user), 1);
      assert.equal(await ledger.balance(user), 1_000 - rewardOf('coin_coupon_10')!.cost);
    });

    test('too few points or an unknown reward: refused, nothing spent or issued', async () => {
      const user = await userWith(299);
      await assert.rejects(store.redeem(user, 'free_episode', 'k'), InsufficientPointsError);
      await assert.rejects(store.redeem(user, 'gold_bar', 'k'), RewardNotFoundError);
      assert.equal(await voucherCount(user), 0);
      assert.equal(await ledger.balance(user), 299);
      for (const key of ['', 'k'.repeat(129)])
        await assert.rejects(store.redeem(user, 'free_episode', key), RangeError);
    });

    test('parallel redemptions never overdraw and never spend one key twice', async () => {
      const user = await userWith(1_000);
      // 12 different keys for a 100-point coupon: exactly 10 fit in 1000 points.
      const distinct = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => store.redeem(user, 'coin_coupon_10', `d-${i}`)),
      );
      assert.equal(distinct.filter((r) => r.status === 'fulfilled').length, 10);
      for (const r of distinct)
        if (r.status === 'rejected') assert.ok(r.reason instanceof InsufficientPointsError);
      assert.equal(await ledger.balance(user), 0);
      assert.equal(await voucherCount(user), 10);

      const rich = await userWith(1_000);
      const same = await Promise.all(
        Array.from({ length: 10 }, () => store.redeem(rich, 'coin_coupon_30', 'one-key')),
      );
      assert.equal(same.filter((r) => !r.replayed).length, 1);
      assert.equal(new Set(same.map((r) => r.voucher.id)).size, 1);
      assert.equal(await voucherCount(rich), 1);
      assert.equal(await ledger.balance(rich), 1_000 - rewardOf('coin_coupon_30')!.cost);
    });

    test('consumeVoucher: once, by its owner, before it expires', async () => {
      const user = await userWith(2_000);
      const now = new Date();
      const { voucher } = await store.redeem(user, 'free_episode', 'consume', now);
      const other = await seed.user();
      await refused(store.consumeVoucher(other, voucher.id, 'episode:1'), 'foreign');
      const used = await store.consumeVoucher(user, voucher.id, 'episode:12', now);
      assert.equal(used.usedFor, 'episode:12');
      assert.equal(used.usedAt?.getTime(), now.getTime());
      await refused(store.consumeVoucher(user, voucher.id, 'episode:13'), 'used');
      assert.equal((await store.get(voucher.id))?.usedFor, 'episode:12');

      const past = new Date(Date.now() - 31 * dayMs);
      const { voucher: old } = await store.redeem(user, 'free_episode', 'expired', past);
      await refused(store.consumeVoucher(user, old.id, 'episode:1'), 'expired');
      // Up to the instant before its expiry it is still good.
      const justBefore = new Date(old.expiresAt.getTime() - 1);
      assert.equal((await store.consumeVoucher(user, old.id, 'ep', justBefore)).usedFor, 'ep');

      await refused(store.consumeVoucher(user, '999999999', 'episode:1'), 'not_found');
      await refused(store.consumeVoucher(user, 'abc', 'episode:1'), 'not_found');
      await assert.rejects(store.consumeVoucher(user, voucher.id, ''), RangeError);
    });

    test('two concurrent consumers of one voucher: exactly one wins', async () => {
      const user = await userWith(1_000);
      const { voucher } = await store.redeem(user, 'free_episode', 'race');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.consumeVoucher(user, voucher.id, `episode:${i}`)),
      );
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
      for (const o of outcomes)
        if (o.status === 'rejected')
          assert.equal((o.reason as VoucherUnusableError).reason, 'used');
    });

    test('list pages a user’s vouchers newest first, and only theirs', async () => {
      const user = await userWith(1_000);
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1)
        ids.push((await store.redeem(user, 'coin_coupon_10', `list-${i}`)).voucher.id);
      await store.redeem(await userWith(500), 'coin_coupon_10', 'list-0');
      const first = await store.list(user, null, 2);
      assert.deepEqual(
        first.items.map((v) => v.id),
        [ids[2], ids[1]],
      );
      const rest = await store.list(user, first.next, 2);
      assert.deepEqual(
        rest.items.map((v) => v.id),
        [ids[0]],
      );
      assert.equal(rest.next, null);
      assert.equal(await store.get('0'), null);
      await assert.rejects(store.list(user, 'x', 2), RangeError);
    });
  });
}
