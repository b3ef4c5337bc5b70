import { and, desc, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { vouchers } from '../db/schema.ts';
import { rewardOf } from '../protocol/points/rewards.ts';
import { assertUserId, parseBigId, postPoints } from './ledger-sql.ts';
import {
  RewardNotFoundError,
  VoucherUnusableError,
  type Voucher,
  type VoucherStore,
} from './vouchers.ts';

/** The client's Idempotency-Key; the ledger key is `redeem:<key>`, apart from keys we make. */
export const maxRedemptionKeyLength = 128;
const maxUsedForLength = 64;
const dayMs = 86_400_000;

type VoucherRow = typeof vouchers.$inferSelect;

function toVoucher(row: VoucherRow): Voucher {
  return {
    id: String(row.id),
    userId: row.userId,
    kind: row.kind,
    amount: row.amount,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    usedAt: row.usedAt,
    usedFor: row.usedFor,
  };
}

function assertNow(now: Date): void {
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new RangeError('now must be a valid Date');
}

/**
 * The VoucherStore over core's Drizzle handle, identical on PGlite and node-postgres. A
 * redemption is one transaction: the ledger spend (postPoints, which locks the balance row) and
 * the voucher insert, so a retry that finds its key already spent finds its voucher too.
 */
export function createSqlVoucherStore(db: Database): VoucherStore {
  return {
    async redeem(userId, rewardId, idempotencyKey, now = new Date()) {
      assertUserId(userId);
      assertNow(now);
      if (
        typeof idempotencyKey !== 'string' ||
        idempotencyKey.length < 1 ||
        idempotencyKey.length > maxRedemptionKeyLength
      )
        throw new RangeError(`idempotencyKey must be 1 to ${maxRedemptionKeyLength} characters`);
      const reward = rewardOf(rewardId);
      if (reward === undefined) throw new RewardNotFoundError(rewardId);
      return db.transaction(async (tx) => {
        const { entry, replayed } = await postPoints(tx, userId, {
          delta: -reward.cost,
          reason: `reward:${reward.id}`,
          idempotencyKey: `redeem:${idempotencyKey}`,
        });
        const ledgerId = Number(entry.id);
        if (replayed) {
          const [original] = await tx
            .select()
            .from(vouchers)
            .where(and(eq(vouchers.userId, userId), eq(vouchers.ledgerId, ledgerId)));
          if (original === undefined)
            throw new Error(`ledger entry ${entry.id} paid for a voucher that is gone`);
          return { voucher: toVoucher(original), entry, replayed };
        }
        const [voucher] = await tx
          .insert(vouchers)
          .values({
            userId,
            kind: reward.kind,
            amount: reward.amount,
            ledgerId,
            expiresAt: new Date(now.getTime() + reward.validDays * dayMs),
          })
          .returning();
        return { voucher: toVoucher(voucher!), entry, replayed };
      });
    },

    async list(userId, cursor, limit) {
      assertUserId(userId);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1_000)
        throw new RangeError(`limit must be an integer in [1, 1000], got ${String(limit)}`);
      let before: number | null = null;
      if (cursor !== null) {
        before = parseBigId(cursor);
        if (before === null) throw new RangeError(`cursor ${JSON.stringify(cursor)} is no id`);
      }
      const rows = await db
        .select()
        .from(vouchers)
        .where(
          and(eq(vouchers.userId, userId), before === null ? undefined : lt(vouchers.id, before)),
        )
        .orderBy(desc(vouchers.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toVoucher),
        next: rows.length > limit && last !== undefined ? String(last.id) : null,
      };
    },

    async get(voucherId) {
      const id = parseBigId(voucherId);
      if (id === null) return null;
      const [row] = await db.select().from(vouchers).where(eq(vouchers.id, id));
      return row === undefined ? null : toVoucher(row);
    },

    async consumeVoucher(userId, voucherId, usedFor, now = new Date()) {
      assertUserId(userId);
      assertNow(now);
      if (typeof usedFor !== 'string' || usedFor.length < 1 || usedFor.length > maxUsedForLength)
        throw new RangeError(`usedFor must be 1 to ${maxUsedForLength} characters`);
      const id = parseBigId(voucherId);
      if (id === null) throw new VoucherUnusableError(voucherId, 'not_found');
      // One statement decides: of two concurrent consumers the second finds used_at set.
      const [used] = await db
        .update(vouchers)
        .set({ usedAt: now, usedFor })
        .where(
          and(
            eq(vouchers.id, id),
            eq(vouchers.userId, userId),
            isNull(vouchers.usedAt),
            gt(vouchers.expiresAt, now),
          ),
        )
        .returning();
      if (used !== undefined) return toVoucher(used);
      const [row] = await db.select().from(vouchers).where(eq(vouchers.id, id));
      if (row === undefined) throw new VoucherUnusableError(voucherId, 'not_found');
      if (row.userId !== userId) throw new VoucherUnusableError(voucherId, 'foreign');
      if (row.usedAt !== null) throw new VoucherUnusableError(voucherId, 'used');
      throw new VoucherUnusableError(voucherId, 'expired');
    },
  };
}
