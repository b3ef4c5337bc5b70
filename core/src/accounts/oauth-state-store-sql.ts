import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { oauthStates } from '../db/schema.ts';
import type { OAuthStateStore } from './oauth-state-store.ts';

/** Expired states linger this long (for logs) before a later start deletes them. */
const RETENTION_MS = 24 * 3600 * 1000;
const maxKeyLength = 128;

/**
 * The OAuthStateStore over core's Drizzle handle, identical on PGlite and node-postgres. consume()
 * is one conditional update, so two callbacks racing with one state cannot both get it.
 */
export function createSqlOAuthStateStore(db: Database): OAuthStateStore {
  return {
    async create(record, now) {
      if (record.key.length < 1 || record.key.length > maxKeyLength)
        throw new RangeError(`state key must be 1 to ${maxKeyLength} characters`);
      await db
        .delete(oauthStates)
        .where(lt(oauthStates.expiresAt, new Date(now.getTime() - RETENTION_MS)));
      await db.insert(oauthStates).values({
        state: record.key,
        provider: record.provider,
        codeVerifier: record.codeVerifier,
        redirectUri: record.redirectUri,
        returnTo: record.returnTo,
        linkUserId: record.linkUserId,
        createdAt: now,
        expiresAt: record.expiresAt,
      });
    },

    async consume(key, provider, now) {
      if (typeof key !== 'string' || key.length < 1 || key.length > maxKeyLength) return null;
      const [row] = await db
        .update(oauthStates)
        .set({ usedAt: now })
        .where(
          and(
            eq(oauthStates.state, key),
            eq(oauthStates.provider, provider),
            isNull(oauthStates.usedAt),
            gt(oauthStates.expiresAt, now),
          ),
        )
        .returning();
      if (!row) return null;
      return {
        key: row.state,
        provider: row.provider,
        codeVerifier: row.codeVerifier,
        redirectUri: row.redirectUri,
        returnTo: row.returnTo,
        linkUserId: row.linkUserId,
        expiresAt: row.expiresAt,
      };
    },
  };
}
