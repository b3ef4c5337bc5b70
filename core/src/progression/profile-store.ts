/**
 * Public profiles: the users row (nickname, avatar, bio, experience) with what derives from other
 * tables (follower and following counts from user_counters, achievements earned). Edits arrive
 * here already checked (core/src/protocol/progression/profile-text.ts) and filtered.
 *
 * Avatars are content-addressed (the API names them by a hash of their pixels and keeps their URL
 * in users.avatar_url): the same picture is the same storage object, which two accounts may
 * share. Writing and releasing one hold a lock on its URL (withAvatar), so a release that finds no
 * account using the picture any more cannot delete the files under an upload of the same picture
 * that is about to use them.
 *
 * Implementation: profile-store-sql.ts; tests in profile-store.test.ts run on PGlite and PostgreSQL.
 */

export interface Profile {
  id: number;
  handle: string;
  displayName: string;
  /** The avatar's URL (users.avatar_url), or null. */
  avatarUrl: string | null;
  bio: string;
  xp: number;
  followers: number;
  following: number;
  /** Achievements earned. */
  achievements: number;
  createdAt: Date;
}

export interface ProfileChanges {
  displayName?: string;
  bio?: string;
}

export interface ProfileStore {
  profile(userId: number): Promise<Profile | null>;
  /** Applies the changes given; null when the user does not exist. */
  update(userId: number, changes: ProfileChanges): Promise<Profile | null>;
  /**
   * Runs `work` while holding the lock of the avatar at `avatarUrl` in a transaction, and hands it
   * the operations that need that lock: using the avatar for an account, and asking whether any
   * account still uses it.
   */
  withAvatar<T>(avatarUrl: string, work: (locked: LockedAvatar) => Promise<T>): Promise<T>;
  /** Clears the user's avatar; resolves to the one they had (null: none, or no such user). */
  clearAvatar(userId: number): Promise<string | null>;
}

export interface LockedAvatar {
  /** Makes it `userId`'s avatar; resolves to their previous one, or undefined when no such user. */
  assign(userId: number): Promise<string | null | undefined>;
  /** Whether any account uses it. */
  inUse(): Promise<boolean>;
}
