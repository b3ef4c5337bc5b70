/**
 * Ledger arithmetic, apart from the SQL that stores it: the balance a change leads to, and
 * whether a change repeats an entry already written under its key.
 */
import type { PointsChange } from './ledger.ts';

/** Ledger amounts are int4 (points_ledger.delta); one change moves at most this many points. */
export const maxDelta = 1_000_000_000;
export const maxReasonLength = 64;
export const maxIdempotencyKeyLength = 200;

/** Throws RangeError for a change that is not well formed (so it never reaches SQL). */
export function assertChange(change: PointsChange): void {
  const { delta, reason, idempotencyKey } = change;
  if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > maxDelta)
    throw new RangeError(`delta must be a non-zero integer within ±${maxDelta}, got ${delta}`);
  if (typeof reason !== 'string' || reason.length < 1 || reason.length > maxReasonLength)
    throw new RangeError(`reason must be 1 to ${maxReasonLength} characters`);
  if (
    typeof idempotencyKey !== 'string' ||
    idempotencyKey.length < 1 ||
    idempotencyKey.length > maxIdempotencyKeyLength
  )
    throw new RangeError(`idempotencyKey must be 1 to ${maxIdempotencyKeyLength} characters`);
}

/** The balance after `delta`, or null when it would be negative (a spend the balance cannot cover). */
export function balanceAfter(balance: number, delta: number): number | null {
  const next = balance + delta;
  return next < 0 ? null : next;
}

/** Whether an entry written under a key is this change (a retry), not a reuse of the key. */
export function isSameChange(
  entry: { delta: number; reason: string },
  change: Pick<PointsChange, 'delta' | 'reason'>,
): boolean {
  return entry.delta === change.delta && entry.reason === change.reason;
}
