import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { pointBalances, pointsLedger, users } from '../db/schema.ts';
import { assertChange, balanceAfter, isSameChange } from './balance.ts';
import {
  IdempotencyKeyReusedError,
  InsufficientPointsError,
  type LedgerEntry,
  type PointsChange,
  type PointsLedger,
  type PostedChange,
} from './ledger.ts';

/** Ids are positive int32 (docs/protocol.md "Ids"). */
const maxId = 2_147_483_647;
/** Ledger ids are bigserial: decimal, within what `mode: 'number'` reads exactly. */
const entryIdPattern = /^[1-9][0-9]{0,15}$/;

export function assertUserId(userId: number): void {
  if (!Number.isInteger(userId) || userId < 1 || userId > maxId)
    throw new RangeError(`userId must be an integer in [1, ${maxId}], got ${String(userId)}`);
}

/** A ledger or voucher id from the wire, or null when it cannot name a row. */
export function parseBigId(value: string): number | null {
  if (!entryIdPattern.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}

/** What a ledger write runs on: the database, or a transaction a caller already opened. */
export type LedgerExecutor = Pick<Database, 'select' | 'insert' | 'update'>;

type EntryRow = typeof pointsLedger.$inferSelect;

export function toLedgerEntry(row: EntryRow): LedgerEntry {
  return {
    id: String(row.id),
    userId: row.userId,
    delta: row.delta,
    balanceAfter: row.balanceAfter,
    reason: row.reason,
    createdAt: row.createdAt,
  };
}

/** A user who does not exist: the balance row's foreign key refuses them. */
export class PointsUserNotFoundError extends Error {
  override readonly name = 'PointsUserNotFoundError';
  constructor(readonly userId: number) {
    super(`user ${userId} does not exist`);
  }
}

/**
 * Posts one change inside the caller's transaction `tx` (a check-in, a task claim, a redemption
 * write their own rows in the same one, so the points and what they pay for commit together).
 *
 * The balance row is created if missing and locked `for update`; every write of the user queues
 * on that lock, so the key lookup, the check against the balance and the append each see the
 * previous write committed, and two spends can never both pass a check the pair of them fails.
 * Errors are thrown before anything is appended; the caller's transaction then rolls back.
 */
export async function postPoints(
  tx: LedgerExecutor,
  userId: number,
  change: PointsChange,
): Promise<PostedChange> {
  assertUserId(userId);
  assertChange(change);
  // The users row first: a missing user is an error of ours, not a foreign-key failure that
  // would abort the caller's transaction.
  const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
  if (user === undefined) throw new PointsUserNotFoundError(userId);
  await tx.insert(pointBalances).values({ userId }).onConflictDoNothing();
  const [locked] = await tx
    .select({ balance: pointBalances.balance })
    .from(pointBalances)
    .where(eq(pointBalances.userId, userId))
    .for('update');
  if (locked === undefined) throw new PointsUserNotFoundError(userId);

  const [existing] = await tx
    .select()
    .from(pointsLedger)
    .where(
      and(eq(pointsLedger.userId, userId), eq(pointsLedger.idempotencyKey, change.idempotencyKey)),
    );
  if (existing !== undefined) {
    if (!isSameChange(existing, change)) throw new IdempotencyKeyReusedError(change.idempotencyKey);
    return { entry: toLedgerEntry(existing), replayed: true };
  }

  const balance = Number(locked.balance);
  const next = balanceAfter(balance, change.delta);
  if (next === null) throw new InsufficientPointsError(balance, change.delta);
  const [entry] = await tx
    .insert(pointsLedger)
    .values({
      userId,
      delta: change.delta,
      balanceAfter: next,
      reason: change.reason,
      idempotencyKey: change.idempotencyKey,
    })
    .returning();
  await tx
    .update(pointBalances)
    .set({ balance: next, updatedAt: sql`now()` })
    .where(eq(pointBalances.userId, userId));
  return { entry: toLedgerEntry(entry!), replayed: false };
}

/** The PointsLedger over core's Drizzle handle, identical on PGlite and node-postgres. */
export function createSqlPointsLedger(db: Database): PointsLedger {
  return {
    post: (userId, change) => db.transaction((tx) => postPoints(tx, userId, change)),

    async balance(userId) {
      assertUserId(userId);
      const [row] = await db
        .select({ balance: pointBalances.balance })
        .from(pointBalances)
        .where(eq(pointBalances.userId, userId));
      return Number(row?.balance ?? 0);
    },

    async history(userId, cursor, limit) {
      assertUserId(userId);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1_000)
        throw new RangeError(`limit must be an integer in [1, 1000], got ${String(limit)}`);
      let before: number | null = null;
      if (cursor !== null) {
        before = parseBigId(cursor);
        if (before === null)
          throw new RangeError(`cursor ${JSON.stringify(cursor)} is no entry id`);
      }
      const rows = await db
        .select()
        .from(pointsLedger)
        .where(
          and(
            eq(pointsLedger.userId, userId),
            before === null ? undefined : lt(pointsLedger.id, before),
          ),
        )
        .orderBy(desc(pointsLedger.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toLedgerEntry),
        next: rows.length > limit && last !== undefined ? String(last.id) : null,
      };
    },
  };
}
