/**
 * The points ledger: every change of a user's points balance is one appended entry (points_ledger;
 * never updated, never deleted) carrying the running balance after it, and the balance row
 * (point_balances) is locked by every write, so entries of one user are written one at a time
 * and the balance never goes below zero.
 *
 * Every change carries an idempotency key, unique per user: a retry with the same key, amount
 * and reason returns the original entry and changes nothing; the same key for a different change
 * is refused. Callers name their keys so that one event has one key (`check-in:2026-11-23`,
 * `task:2026-11-23:watch_10`, `redeem:<client key>`).
 *
 * Implementation: ledger-sql.ts; tests in ledger.test.ts run against PGlite and PostgreSQL.
 */

export interface PointsChange {
  /** Points added (earned, positive) or taken (spent, negative); never 0. */
  delta: number;
  /** Why: `check_in`, `task:<id>`, `reward:<id>` ... (1 to 64 characters). */
  reason: string;
  /** Unique per user; 1 to 200 characters. */
  idempotencyKey: string;
}

export interface LedgerEntry {
  /** The entry's bigserial id, as a decimal string. */
  id: string;
  userId: number;
  delta: number;
  balanceAfter: number;
  reason: string;
  createdAt: Date;
}

export interface PostedChange {
  entry: LedgerEntry;
  /** True when the key was already used for this very change: `entry` is the original. */
  replayed: boolean;
}

export interface LedgerPage {
  /** Newest first. */
  items: LedgerEntry[];
  /** The id to continue after; null on the last page. */
  next: string | null;
}

export interface PointsLedger {
  /**
   * Appends one change and moves the balance by it, in one transaction. Rejects with
   * {@link InsufficientPointsError} when a spend would take the balance below zero and with
   * {@link IdempotencyKeyReusedError} when the key already holds a different change; either way
   * nothing is written.
   */
  post(userId: number, change: PointsChange): Promise<PostedChange>;
  /** The balance; 0 for a user who never had points. */
  balance(userId: number): Promise<number>;
  /** Entries newest first, strictly older than `cursor` (an entry id). */
  history(userId: number, cursor: string | null, limit: number): Promise<LedgerPage>;
}

export class InsufficientPointsError extends Error {
  override readonly name = 'InsufficientPointsError';
  constructor(
    readonly balance: number,
    readonly delta: number,
  ) {
    super(`a change of ${delta} points needs more than the balance of ${balance}`);
  }
}

export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  constructor(readonly idempotencyKey: string) {
    super(`the idempotency key ${JSON.stringify(idempotencyKey)} holds a different change`);
  }
}
