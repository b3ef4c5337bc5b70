import { and, asc, eq } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { authIdentities, users } from '../db/schema.ts';
import {
  isIdentityProvider,
  type IdentityProvider,
  type IdentityStore,
  type LinkOutcome,
  type SignInOutcome,
} from './identity-store.ts';

const maxId = 2_147_483_647;
/** Handle draws before giving up; one clash is already rare (api guest-identity.ts). */
const HANDLE_ATTEMPTS = 4;
/** Whole sign-ins retried when another request linked the same method first. */
const RACE_ATTEMPTS = 3;
/** Subjects: E.164 phones, WeChat openids/unionids (28–29), Weibo uids (digits). */
const maxSubjectLength = 128;

function assertUserId(userId: number): void {
  if (!Number.isInteger(userId) || userId < 1 || userId > maxId)
    throw new RangeError(`userId must be an integer in [1, ${maxId}], got ${String(userId)}`);
}

function assertMethod(provider: IdentityProvider, subject: string): void {
  if (!isIdentityProvider(provider)) throw new RangeError(`unknown provider ${String(provider)}`);
  if (typeof subject !== 'string' || subject.length < 1 || subject.length > maxSubjectLength)
    throw new RangeError(`subject must be 1 to ${maxSubjectLength} characters`);
}

/** Thrown inside a transaction to roll it back when a concurrent request took the method. */
class MethodTakenMeanwhile extends Error {}

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

async function ownerOf(tx: Tx, provider: IdentityProvider, subject: string) {
  const [row] = await tx
    .select({ userId: authIdentities.userId })
    .from(authIdentities)
    .where(and(eq(authIdentities.provider, provider), eq(authIdentities.subject, subject)));
  return row?.userId ?? null;
}

/** Inserts the method for `userId`; false when (provider, subject) is someone's already. */
async function insertMethod(
  tx: Tx,
  userId: number,
  provider: IdentityProvider,
  subject: string,
  now: Date,
): Promise<boolean> {
  const inserted = await tx
    .insert(authIdentities)
    .values({ provider, subject, userId, createdAt: now, lastUsedAt: now })
    .onConflictDoNothing({ target: [authIdentities.provider, authIdentities.subject] })
    .returning({ userId: authIdentities.userId });
  return inserted.length > 0;
}

/**
 * The IdentityStore over core's Drizzle handle, identical on PGlite and node-postgres.
 *
 * A method's uniqueness is the primary key (provider, subject), so two requests signing up the
 * same phone at once cannot both link it: the loser's insert does nothing, its transaction rolls
 * back (with the account it had just made) and it signs in to the winner's account instead. A
 * guest's row is locked while it is upgraded, so two methods racing to upgrade one guest upgrade
 * it once and the other gets an account of its own.
 */
export function createSqlIdentityStore(db: Database): IdentityStore {
  async function signInOnce(input: Parameters<IdentityStore['signIn']>[0]): Promise<SignInOutcome> {
    const { provider, subject, guestUserId, now } = input;
    return db.transaction(async (tx) => {
      const owner = await ownerOf(tx, provider, subject);
      if (owner !== null) {
        await tx
          .update(authIdentities)
          .set({ lastUsedAt: now })
          .where(and(eq(authIdentities.provider, provider), eq(authIdentities.subject, subject)));
        return { userId: owner, created: false, upgradedGuest: false };
      }
      if (guestUserId !== null) {
        const [guest] = await tx
          .select({ isGuest: users.isGuest })
          .from(users)
          .where(eq(users.id, guestUserId))
          .for('update');
        if (guest?.isGuest) {
          if (!(await insertMethod(tx, guestUserId, provider, subject, now)))
            throw new MethodTakenMeanwhile();
          await tx.update(users).set({ isGuest: false }).where(eq(users.id, guestUserId));
          return { userId: guestUserId, created: false, upgradedGuest: true };
        }
      }
      let userId: number | null = null;
      for (let attempt = 0; userId === null && attempt < HANDLE_ATTEMPTS; attempt++) {
        const names = input.newAccount();
        const [row] = await tx
          .insert(users)
          .values({ ...names, role: 'viewer', isGuest: false, createdAt: now })
          .onConflictDoNothing({ target: users.handle })
          .returning({ id: users.id });
        userId = row?.id ?? null;
      }
      if (userId === null) throw new Error(`no free handle after ${HANDLE_ATTEMPTS} draws`);
      if (!(await insertMethod(tx, userId, provider, subject, now)))
        throw new MethodTakenMeanwhile();
      return { userId, created: true, upgradedGuest: false };
    });
  }

  return {
    async signIn(input) {
      assertMethod(input.provider, input.subject);
      if (input.guestUserId !== null) assertUserId(input.guestUserId);
      for (let attempt = 1; ; attempt++) {
        try {
          return await signInOnce(input);
        } catch (error) {
          if (!(error instanceof MethodTakenMeanwhile) || attempt >= RACE_ATTEMPTS) throw error;
        }
      }
    },

    async link(userId, provider, subject, now) {
      assertUserId(userId);
      assertMethod(provider, subject);
      try {
        return await db.transaction(async (tx): Promise<LinkOutcome> => {
          const owner = await ownerOf(tx, provider, subject);
          if (owner === userId) return 'unchanged';
          if (owner !== null) return 'taken';
          await tx
            .delete(authIdentities)
            .where(and(eq(authIdentities.userId, userId), eq(authIdentities.provider, provider)));
          if (!(await insertMethod(tx, userId, provider, subject, now)))
            throw new MethodTakenMeanwhile();
          await tx.update(users).set({ isGuest: false }).where(eq(users.id, userId));
          return 'linked';
        });
      } catch (error) {
        // Another account linked it between our read and our insert; ours was rolled back.
        if (error instanceof MethodTakenMeanwhile) return 'taken';
        throw error;
      }
    },

    async unlink(userId, provider) {
      assertUserId(userId);
      if (!isIdentityProvider(provider)) throw new RangeError(`unknown provider ${provider}`);
      return db.transaction(async (tx) => {
        // Locking the account's methods serialises two unlinks racing to remove the last two.
        const methods = await tx
          .select({ provider: authIdentities.provider })
          .from(authIdentities)
          .where(eq(authIdentities.userId, userId))
          .for('update');
        if (!methods.some((m) => m.provider === provider)) return 'not_linked';
        if (methods.length === 1) return 'last_method';
        await tx
          .delete(authIdentities)
          .where(and(eq(authIdentities.userId, userId), eq(authIdentities.provider, provider)));
        return 'unlinked';
      });
    },

    async list(userId) {
      assertUserId(userId);
      const [account] = await db
        .select({ isGuest: users.isGuest })
        .from(users)
        .where(eq(users.id, userId));
      if (!account) return null;
      const identities = await db
        .select({
          provider: authIdentities.provider,
          subject: authIdentities.subject,
          linkedAt: authIdentities.createdAt,
          lastUsedAt: authIdentities.lastUsedAt,
        })
        .from(authIdentities)
        .where(eq(authIdentities.userId, userId))
        .orderBy(asc(authIdentities.createdAt), asc(authIdentities.provider));
      return { isGuest: account.isGuest, identities };
    },
  };
}
