import { and, desc, eq, gt, isNull, isNotNull, lt } from 'drizzle-orm';
import { sessionIdPattern } from '../auth/access-token.ts';
import { newSessionId } from '../auth/opaque-token.ts';
import type { Database } from '../db/database.ts';
import { authSessions, refreshTokens, users } from '../db/schema.ts';
import type { RevokeReason, RotateOutcome, SessionRecord, SessionStore } from './session-store.ts';

/**
 * Used refresh tokens are kept this long after their use, so a replay within it is recognised as
 * one (and revokes the session) rather than answered as an unknown token. Older ones are pruned
 * at the session's next refresh, which bounds a busy device's rows to about a week of refreshes.
 */
const USED_TOKEN_RETENTION_MS = 7 * 24 * 3600 * 1000;

const maxId = 2_147_483_647;

function assertUserId(userId: number): void {
  if (!Number.isInteger(userId) || userId < 1 || userId > maxId)
    throw new RangeError(`userId must be an integer in [1, ${maxId}], got ${String(userId)}`);
}

const live = (now: Date) => and(isNull(authSessions.revokedAt), gt(authSessions.expiresAt, now));

const recordColumns = {
  id: authSessions.id,
  userId: authSessions.userId,
  deviceName: authSessions.deviceName,
  userAgent: authSessions.userAgent,
  ip: authSessions.ip,
  createdAt: authSessions.createdAt,
  lastSeenAt: authSessions.lastSeenAt,
  expiresAt: authSessions.expiresAt,
  revokedAt: authSessions.revokedAt,
  revokedReason: authSessions.revokedReason,
};

/**
 * The SessionStore over core's Drizzle handle, identical on PGlite and node-postgres.
 *
 * rotate() claims the presented token with `update ... set used_at = now where used_at is null`:
 * PostgreSQL re-checks the condition after waiting on a concurrent claim of the same row, so two
 * racing refreshes with one token cannot both succeed; the loser sees a used token, which is
 * exactly a replay. There is no grace window: two tabs sharing one refresh token must take turns
 * (the client refreshes single-flight), because a window that let a second use through would let
 * a stolen copy through too.
 */
export function createSqlSessionStore(db: Database): SessionStore {
  return {
    async create({ userId, origin, refreshTokenHash, expiresAt, now }) {
      assertUserId(userId);
      const id = newSessionId();
      await db.transaction(async (tx) => {
        await tx.insert(authSessions).values({
          id,
          userId,
          deviceName: origin.deviceName,
          userAgent: origin.userAgent,
          ip: origin.ip,
          createdAt: now,
          lastSeenAt: now,
          expiresAt,
        });
        await tx
          .insert(refreshTokens)
          .values({ tokenHash: refreshTokenHash, sessionId: id, createdAt: now, expiresAt });
      });
      return id;
    },

    async rotate({ tokenHash, nextTokenHash, expiresAt, now }) {
      return db.transaction(async (tx): Promise<RotateOutcome> => {
        const [claimed] = await tx
          .update(refreshTokens)
          .set({ usedAt: now })
          .where(
            and(
              eq(refreshTokens.tokenHash, tokenHash),
              isNull(refreshTokens.usedAt),
              gt(refreshTokens.expiresAt, now),
            ),
          )
          .returning({ sessionId: refreshTokens.sessionId });
        if (!claimed) {
          const [known] = await tx
            .select({
              sessionId: refreshTokens.sessionId,
              usedAt: refreshTokens.usedAt,
              userId: authSessions.userId,
            })
            .from(refreshTokens)
            .innerJoin(authSessions, eq(authSessions.id, refreshTokens.sessionId))
            .where(eq(refreshTokens.tokenHash, tokenHash));
          if (!known || known.usedAt === null) return { kind: 'invalid' };
          await tx
            .update(authSessions)
            .set({ revokedAt: now, revokedReason: 'reuse' })
            .where(and(eq(authSessions.id, known.sessionId), isNull(authSessions.revokedAt)));
          return { kind: 'reused', sessionId: known.sessionId, userId: known.userId };
        }
        const [session] = await tx
          .select({
            userId: authSessions.userId,
            revokedAt: authSessions.revokedAt,
            expiresAt: authSessions.expiresAt,
          })
          .from(authSessions)
          .where(eq(authSessions.id, claimed.sessionId))
          .for('update');
        if (!session) return { kind: 'invalid' };
        const result = { sessionId: claimed.sessionId, userId: session.userId };
        if (session.revokedAt !== null || session.expiresAt <= now)
          return { kind: 'revoked', ...result };
        await tx.insert(refreshTokens).values({
          tokenHash: nextTokenHash,
          sessionId: claimed.sessionId,
          createdAt: now,
          expiresAt,
        });
        await tx
          .update(authSessions)
          .set({ expiresAt, lastSeenAt: now })
          .where(eq(authSessions.id, claimed.sessionId));
        await tx
          .delete(refreshTokens)
          .where(
            and(
              eq(refreshTokens.sessionId, claimed.sessionId),
              isNotNull(refreshTokens.usedAt),
              lt(refreshTokens.usedAt, new Date(now.getTime() - USED_TOKEN_RETENTION_MS)),
            ),
          );
        return { kind: 'rotated', ...result };
      });
    },

    async state(sessionId) {
      if (!sessionIdPattern.test(sessionId)) return null;
      const [row] = await db
        .select({
          userId: authSessions.userId,
          revokedAt: authSessions.revokedAt,
          expiresAt: authSessions.expiresAt,
          lastSeenAt: authSessions.lastSeenAt,
          role: users.role,
          bannedAt: users.bannedAt,
        })
        .from(authSessions)
        .innerJoin(users, eq(users.id, authSessions.userId))
        .where(eq(authSessions.id, sessionId));
      if (!row) return null;
      const { bannedAt, ...state } = row;
      return { ...state, banned: bannedAt !== null };
    },

    async touch(sessionId, now) {
      if (!sessionIdPattern.test(sessionId)) return;
      await db
        .update(authSessions)
        .set({ lastSeenAt: now })
        .where(and(eq(authSessions.id, sessionId), lt(authSessions.lastSeenAt, now)));
    },

    async list(userId, now) {
      assertUserId(userId);
      const rows = await db
        .select(recordColumns)
        .from(authSessions)
        .where(and(eq(authSessions.userId, userId), live(now)))
        .orderBy(desc(authSessions.lastSeenAt), desc(authSessions.createdAt));
      return rows as SessionRecord[];
    },

    async find(userId, sessionId, now) {
      assertUserId(userId);
      if (!sessionIdPattern.test(sessionId)) return null;
      const [row] = await db
        .select(recordColumns)
        .from(authSessions)
        .where(and(eq(authSessions.id, sessionId), eq(authSessions.userId, userId), live(now)));
      return (row as SessionRecord | undefined) ?? null;
    },

    async revoke(userId, sessionId, reason: RevokeReason, now) {
      assertUserId(userId);
      if (!sessionIdPattern.test(sessionId)) return false;
      const revoked = await db
        .update(authSessions)
        .set({ revokedAt: now, revokedReason: reason })
        .where(and(eq(authSessions.id, sessionId), eq(authSessions.userId, userId), live(now)))
        .returning({ id: authSessions.id });
      return revoked.length > 0;
    },

    async revokeAll(userId, reason: RevokeReason, now) {
      assertUserId(userId);
      const revoked = await db
        .update(authSessions)
        .set({ revokedAt: now, revokedReason: reason })
        .where(and(eq(authSessions.userId, userId), live(now)))
        .returning({ id: authSessions.id });
      return revoked.map((row) => row.id);
    },
  };
}
