/**
 * Signed-in devices: one `auth_sessions` row per sign-in, and its refresh-token family in
 * `refresh_tokens` (hashes only). Access tokens name the session (`sid`), so revoking the row ends
 * them as soon as a check reads it; refresh tokens rotate on every use, and a token presented
 * again after its use is a replay (RFC 9700 §4.14.2, "refresh token rotation"): the whole session
 * is revoked, the thief's copy and the victim's current token alike.
 *
 * Implementation: session-store-sql.ts; tests in session-store.test.ts run against PGlite and
 * PostgreSQL.
 */

export const revokeReasons = ['logout', 'logout_all', 'reuse', 'banned', 'merged'] as const;
export type RevokeReason = (typeof revokeReasons)[number];

/** Where a sign-in came from, shown in the device list. */
export interface SessionOrigin {
  /** 1..64 characters, already cleaned (device-name.ts in the API). */
  deviceName: string;
  userAgent: string | null;
  ip: string | null;
}

export interface SessionRecord {
  id: string;
  userId: number;
  deviceName: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: RevokeReason | null;
}

/** What an access-token check needs of a session, and of its account now. */
export interface SessionState {
  userId: number;
  revokedAt: Date | null;
  expiresAt: Date;
  lastSeenAt: Date;
  /** The account's role now (a token carries the one it had when it was signed). */
  role: 'viewer' | 'creator' | 'admin';
  /** The account is banned now. */
  banned: boolean;
}

export type RotateOutcome =
  /** The token was current: it is used now and `nextTokenHash` is the session's current one. */
  | { kind: 'rotated'; sessionId: string; userId: number }
  /** No such token, or it expired unused. */
  | { kind: 'invalid' }
  /** The token was current, but its session was revoked or expired: nothing was issued. */
  | { kind: 'revoked'; sessionId: string; userId: number }
  /** The token was used before: a replay. Its session is revoked (reason `reuse`) now. */
  | { kind: 'reused'; sessionId: string; userId: number };

export interface SessionStore {
  /** A new session of `userId` with its first refresh token; resolves to the session id. */
  create(input: {
    userId: number;
    origin: SessionOrigin;
    refreshTokenHash: string;
    expiresAt: Date;
    now: Date;
  }): Promise<string>;
  /**
   * Exchanges the refresh token hashed `tokenHash` for `nextTokenHash` in one transaction: the old
   * token is marked used only if it was not already (so of two concurrent exchanges exactly one
   * wins and the other is a replay), the session's expiry slides to `expiresAt` and it is seen now.
   */
  rotate(input: {
    tokenHash: string;
    nextTokenHash: string;
    expiresAt: Date;
    now: Date;
  }): Promise<RotateOutcome>;
  state(sessionId: string): Promise<SessionState | null>;
  /** Records activity (the device list's "last seen"). */
  touch(sessionId: string, now: Date): Promise<void>;
  /** `userId`'s live sessions (not revoked, not expired), most recently seen first. */
  list(userId: number, now: Date): Promise<SessionRecord[]>;
  /** One session, only if it is `userId`'s and live; other users' ids are simply not found. */
  find(userId: number, sessionId: string, now: Date): Promise<SessionRecord | null>;
  /** Revokes one live session of `userId`; false when there is none with that id. */
  revoke(userId: number, sessionId: string, reason: RevokeReason, now: Date): Promise<boolean>;
  /** Revokes every live session of `userId`; resolves to their ids. */
  revokeAll(userId: number, reason: RevokeReason, now: Date): Promise<string[]>;
}
