import { count, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { userAchievements, userCounters, users } from '../db/schema.ts';
import type { Profile, ProfileStore } from './profile-store.ts';

const maxId = 2_147_483_647;
/** First key of the two-key advisory locks on avatars; the second is a hash of the URL. */
const avatarLockSpace = 4_041;
const maxAvatarUrlLength = 200;

function assertId(userId: number): void {
  if (!Number.isInteger(userId) || userId < 1 || userId > maxId)
    throw new RangeError(`userId must be an integer in [1, ${maxId}], got ${String(userId)}`);
}

function assertAvatarUrl(avatarUrl: string): void {
  if (
    typeof avatarUrl !== 'string' ||
    avatarUrl.length < 1 ||
    avatarUrl.length > maxAvatarUrlLength
  )
    throw new RangeError(`an avatar URL is 1 to ${maxAvatarUrlLength} characters`);
}

/** The ProfileStore over core's Drizzle handle, identical on PGlite and node-postgres. */
export function createSqlProfileStore(db: Database): ProfileStore {
  async function profile(userId: number): Promise<Profile | null> {
    const [row] = await db
      .select({
        id: users.id,
        handle: users.handle,
        displayName: users.displayName,
        avatarUrl: users.avatarUrl,
        bio: users.bio,
        xp: users.xp,
        createdAt: users.createdAt,
        followers: userCounters.followers,
        following: userCounters.following,
        achievements: sql<unknown>`(select ${count()} from ${userAchievements}
          where ${userAchievements.userId} = ${users.id})`,
      })
      .from(users)
      .leftJoin(userCounters, eq(userCounters.userId, users.id))
      .where(eq(users.id, userId));
    if (row === undefined) return null;
    return {
      ...row,
      xp: Number(row.xp),
      followers: Number(row.followers ?? 0),
      following: Number(row.following ?? 0),
      achievements: Number(String(row.achievements)),
    };
  }

  return {
    async profile(userId) {
      assertId(userId);
      return profile(userId);
    },

    async update(userId, changes) {
      assertId(userId);
      const set: { displayName?: string; bio?: string } = {};
      if (changes.displayName !== undefined) set.displayName = changes.displayName;
      if (changes.bio !== undefined) set.bio = changes.bio;
      if (Object.keys(set).length > 0) {
        const updated = await db
          .update(users)
          .set(set)
          .where(eq(users.id, userId))
          .returning({ id: users.id });
        if (updated.length === 0) return null;
      }
      return profile(userId);
    },

    async withAvatar(avatarUrl, work) {
      assertAvatarUrl(avatarUrl);
      return db.transaction(async (tx) => {
        // hashtext maps the URL onto int4; a collision only makes two unrelated uploads wait.
        await tx.execute(
          sql`select pg_advisory_xact_lock(${avatarLockSpace}, hashtext(${avatarUrl}))`,
        );
        return work({
          async assign(userId) {
            assertId(userId);
            const rows = await tx.execute(sql`update users set avatar_url = ${avatarUrl}
              from (select avatar_url as previous from users where id = ${userId} for update) old
              where id = ${userId} returning old.previous`);
            const [row] = (rows as unknown as { rows: Array<{ previous: string | null }> }).rows;
            return row === undefined ? undefined : row.previous;
          },
          async inUse() {
            const rows = await tx
              .select({ id: users.id })
              .from(users)
              .where(eq(users.avatarUrl, avatarUrl))
              .limit(1);
            return rows.length > 0;
          },
        });
      });
    },

    async clearAvatar(userId) {
      assertId(userId);
      const rows = await db.execute(sql`update users set avatar_url = null
        from (select avatar_url as previous from users where id = ${userId} for update) old
        where id = ${userId} returning old.previous`);
      const [row] = (rows as unknown as { rows: Array<{ previous: string | null }> }).rows;
      return row?.previous ?? null;
    },
  };
}
