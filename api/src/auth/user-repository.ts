import { eq } from 'drizzle-orm';
import type { Database } from '@binge/core/db';
import { users } from '@binge/core/db/schema';
import type { User } from '@binge/core/protocol/catalog';

/** The account rows the guard and the sign-in routes read and write. */
export interface AccountState {
  user: User;
  /** Set while the account is banned (moderation); every authenticated route refuses it. */
  bannedAt: Date | null;
  banReason: string | null;
}

export interface UserRepository {
  findUser(id: number): Promise<User | null>;
  /** The account with its ban state, for the session guard. */
  findAccount(id: number): Promise<AccountState | null>;
  /** Inserts a viewer; null when the handle is taken (the caller draws another). */
  insertGuest(values: { handle: string; displayName: string }): Promise<User | null>;
}

const userColumns = {
  id: users.id,
  handle: users.handle,
  displayName: users.displayName,
  role: users.role,
};

export function createUserRepository(db: Database): UserRepository {
  return {
    async findUser(id) {
      const [row] = await db.select(userColumns).from(users).where(eq(users.id, id));
      return row ?? null;
    },

    async findAccount(id) {
      const [row] = await db
        .select({ ...userColumns, bannedAt: users.bannedAt, banReason: users.banReason })
        .from(users)
        .where(eq(users.id, id));
      if (!row) return null;
      const { bannedAt, banReason, ...user } = row;
      return { user, bannedAt, banReason };
    },

    async insertGuest(values) {
      // ON CONFLICT DO NOTHING rather than catching 23505: a clash is an expected outcome, and a
      // failed statement would abort any transaction around it.
      const [row] = await db
        .insert(users)
        .values({ handle: values.handle, displayName: values.displayName, role: 'viewer' })
        .onConflictDoNothing({ target: users.handle })
        .returning(userColumns);
      return row ?? null;
    },
  };
}
