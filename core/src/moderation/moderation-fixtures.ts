import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import {
  authSessions,
  chatMessages,
  comments,
  danmu,
  dmMessages,
  reviews,
  users,
} from '../db/schema.ts';

/**
 * Rows a moderation test reports, hides and bans, inserted straight with drizzle so the tests do
 * not depend on the services that normally write them (discussion, the gateway, sign-in).
 */
export function createContentSeeder(db: Database) {
  const cmid = () => `c${randomBytes(8).toString('hex')}`;
  return {
    async comment(episodeId: number, userId: number, body = 'a comment'): Promise<number> {
      const [row] = await db
        .insert(comments)
        .values({ episodeId, userId, body, cmid: cmid() })
        .returning({ id: comments.id });
      return row!.id;
    },

    async review(seriesId: number, userId: number, body = 'a review'): Promise<number> {
      const [row] = await db
        .insert(reviews)
        .values({ seriesId, userId, rating: 4, body })
        .returning({ id: reviews.id });
      return row!.id;
    },

    async danmu(
      episodeId: number,
      userId: number,
      body = 'a danmu',
      posMs = 1000,
    ): Promise<number> {
      const [row] = await db
        .insert(danmu)
        .values({
          episodeId,
          userId,
          body,
          posMs,
          mode: 0,
          colour: '#ffffff',
          size: 1,
          cmid: cmid(),
        })
        .returning({ id: danmu.id });
      return row!.id;
    },

    async chat(roomId: number, userId: number, body = 'a chat line'): Promise<number> {
      const [row] = await db
        .insert(chatMessages)
        .values({ roomId, userId, body, cmid: cmid() })
        .returning({ id: chatMessages.id });
      return row!.id;
    },

    async dm(senderId: number, recipientId: number, body = 'a message'): Promise<number> {
      const [row] = await db
        .insert(dmMessages)
        .values({ senderId, recipientId, body, cmid: cmid() })
        .returning({ id: dmMessages.id });
      return row!.id;
    },

    /** An open sign-in session of the user (the sign-in service's table). */
    async session(userId: number): Promise<string> {
      const id = randomBytes(12).toString('base64url');
      await db.insert(authSessions).values({
        id,
        userId,
        deviceName: 'test phone',
        expiresAt: new Date(Date.now() + 86_400_000),
      });
      return id;
    },

    async setRole(userId: number, role: 'viewer' | 'creator' | 'admin'): Promise<void> {
      await db.update(users).set({ role }).where(eq(users.id, userId));
    },
  };
}

export type ContentSeeder = ReturnType<typeof createContentSeeder>;
