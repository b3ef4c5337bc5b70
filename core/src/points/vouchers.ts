/**
 * The points shop's vouchers: redeeming a reward (core/src/protocol/points/rewards.ts) spends its
 * cost through the points ledger and issues one voucher in the same transaction, so points are
 * never spent without a voucher nor a voucher issued without the points. The paywall consumes a
 * voucher once (consumeVoucher), before it expires, and only for its owner.
 *
 * Implementation: vouchers-sql.ts; tests in vouchers.test.ts run against PGlite and PostgreSQL.
 */
import type { VoucherKind } from '../protocol/points/rewards.ts';
import type { LedgerEntry } from './ledger.ts';

export interface Voucher {
  /** bigserial id as a decimal string. */
  id: string;
  userId: number;
  kind: VoucherKind;
  /** Episodes (free_episode) or coins off (coin_coupon). */
  amount: number;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /** What it paid for, e.g. `episode:12`. */
  usedFor: string | null;
}

export type VoucherStatus = 'usable' | 'used' | 'expired';

/** A voucher's state at `now`: once used it stays used, whatever its expiry. */
export function voucherStatus(
  voucher: Pick<Voucher, 'usedAt' | 'expiresAt'>,
  now: Date,
): VoucherStatus {
  if (voucher.usedAt !== null) return 'used';
  return voucher.expiresAt.getTime() > now.getTime() ? 'usable' : 'expired';
}

export interface Redemption {
  voucher: Voucher;
  /** The ledger entry that paid for it. */
  entry: LedgerEntry;
  /** True when the idempotency key was already used for this redemption: nothing new happened. */
  replayed: boolean;
}

export interface VoucherPage {
  /** Newest first. */
  items: Voucher[];
  next: string | null;
}

export interface VoucherStore {
  /**
   * Spends the reward's cost from `userId`'s points and issues its voucher, valid `validDays`
   * from `now`. `idempotencyKey` is the client's (the `Idempotency-Key` header): a retry returns
   * the original redemption. Rejects with RewardNotFoundError, InsufficientPointsError or
   * IdempotencyKeyReusedError (the key bought another reward); nothing is written then.
   */
  redeem(userId: number, rewardId: string, idempotencyKey: string, now?: Date): Promise<Redemption>;
  /** `userId`'s vouchers, newest first, strictly older than `cursor` (a voucher id). */
  list(userId: number, cursor: string | null, limit: number): Promise<VoucherPage>;
  /** A voucher by id, whoever owns it (callers check the owner); null when there is none. */
  get(voucherId: string): Promise<Voucher | null>;
  /**
   * Marks the voucher used for `usedFor` (e.g. `episode:12`), once: rejects with
   * VoucherUnusableError when it does not exist, belongs to someone else, is used or expired.
   * Of two concurrent calls for one voucher exactly one succeeds.
   */
  consumeVoucher(userId: number, voucherId: string, usedFor: string, now?: Date): Promise<Voucher>;
}

export class RewardNotFoundError extends Error {
  override readonly name = 'RewardNotFoundError';
  constructor(readonly rewardId: string) {
    super(`no reward ${JSON.stringify(rewardId)}`);
  }
}

export type VoucherRefusal = 'not_found' | 'foreign' | 'used' | 'expired';

export class VoucherUnusableError extends Error {
  override readonly name = 'VoucherUnusableError';
  constructor(
    readonly voucherId: string,
    readonly reason: VoucherRefusal,
  ) {
    super(`voucher ${voucherId} cannot be used: ${reason.replace('_', ' ')}`);
  }
}
