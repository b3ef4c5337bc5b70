import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { smsCodes } from '../db/schema.ts';
import type { SmsCodeStore, SmsVerifyOutcome } from './sms-code-store.ts';

/** Rows of a phone older than this are deleted when it is sent a new code. */
const RETENTION_MS = 24 * 3600 * 1000;
const maxAttemptsLimit = 100;

function assertPhone(phone: string): void {
  if (typeof phone !== 'string' || !/^\+[1-9][0-9]{7,14}$/.test(phone))
    throw new RangeError('phone must be E.164');
}

/** The SmsCodeStore over core's Drizzle handle, identical on PGlite and node-postgres. */
export function createSqlSmsCodeStore(db: Database): SmsCodeStore {
  return {
    async issue({ phone, codeHash, ip, expiresAt, now }) {
      assertPhone(phone);
      await db.transaction(async (tx) => {
        await tx
          .update(smsCodes)
          .set({ expiresAt: now })
          .where(
            and(
              eq(smsCodes.phone, phone),
              isNull(smsCodes.consumedAt),
              gt(smsCodes.expiresAt, now),
            ),
          );
        await tx
          .delete(smsCodes)
          .where(
            and(
              eq(smsCodes.phone, phone),
              lt(smsCodes.createdAt, new Date(now.getTime() - RETENTION_MS)),
            ),
          );
        await tx.insert(smsCodes).values({ phone, codeHash, ip, createdAt: now, expiresAt });
      });
    },

    async verify({ phone, matches, maxAttempts, now }) {
      assertPhone(phone);
      if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > maxAttemptsLimit)
        throw new RangeError(`maxAttempts must be in [1, ${maxAttemptsLimit}]`);
      return db.transaction(async (tx): Promise<SmsVerifyOutcome> => {
        const [code] = await tx
          .select({ id: smsCodes.id, codeHash: smsCodes.codeHash, attempts: smsCodes.attempts })
          .from(smsCodes)
          .where(
            and(
              eq(smsCodes.phone, phone),
              isNull(smsCodes.consumedAt),
              gt(smsCodes.expiresAt, now),
              lt(smsCodes.attempts, maxAttempts),
            ),
          )
          .orderBy(desc(smsCodes.createdAt), desc(smsCodes.id))
          .limit(1)
          .for('update');
        if (!code) return { kind: 'none' };
        if (matches(code.codeHash)) {
          await tx.update(smsCodes).set({ consumedAt: now }).where(eq(smsCodes.id, code.id));
          return { kind: 'verified' };
        }
        await tx
          .update(smsCodes)
          .set({ attempts: sql`${smsCodes.attempts} + 1` })
          .where(eq(smsCodes.id, code.id));
        return { kind: 'wrong', attemptsLeft: maxAttempts - code.attempts - 1 };
      });
    },
  };
}
