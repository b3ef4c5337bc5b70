import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  BlockedUser,
  ChatMessage,
  DanmuWindow,
  DirectMessage,
  List,
  WatchProgress,
} from '@binge/core/protocol/catalog';
import {
  MAX_HISTORY_PUBLICATIONS,
  MAX_HISTORY_WINDOW_MS,
  MAX_MEDIA_MS,
} from '@binge/core/protocol/realtime/limits';
import type { RealtimeStore } from '@binge/core/realtime-state';
import { sessionOptional, sessionRequired } from '../auth/auth-schemas.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { IdString, ListSchema, problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { decimalQuery } from '../http/decimal-query.ts';
import { parseEntityId } from '../http/entity-id.ts';
import {
  BlockedUserSchema,
  BoundedLimit,
  ChatMessageSchema,
  DanmuWindowSchema,
  DirectMessageSchema,
  NoContent,
  WatchProgressSchema,
} from './realtime-schemas.ts';
import { toChatMessage, toDanmu, toDirectMessage, toWatchProgress } from './realtime-view.ts';

export interface RealtimeStateRoutesOptions {
  store: RealtimeStore;
  guard: SessionGuard;
}

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');
/** A bad bearer is a 401 on a route that allows anonymous callers too (never silently anonymous). */
const badSession = problemResponse('SESSION_INVALID', 'SESSION_EXPIRED');
const badLimit = problemResponse('VALIDATION_FAILED', 'PAGE_SIZE_OUT_OF_RANGE');
/** Refetch pages: enough to refill a screen of chat or an inbox, bounded so a read stays cheap. */
const recentQuery = Type.Object({ limit: Type.Optional(BoundedLimit(500, 100)) });

/**
 * What a client reloads over HTTP when the gateway answers a subscribe with "refetch" (its place in
 * a stream is gone), read from the same store the gateway writes: progress, the DM inbox, a room's
 * chat, the danmu of a stretch of video; and the blocks that keep DMs out.
 */
export async function realtimeStateRoutes(
  app: FastifyInstance,
  options: RealtimeStateRoutesOptions,
) {
  const { store, guard } = options;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('preValidation', decimalQuery('limit', 'from', 'to'));
  // Everything here but danmu is one person's, and danmu carries the caller's own cmids.
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  typed.get(
    '/me/progress',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Watch progress of the signed-in user, most recently updated first',
        tags: ['realtime'],
        security: sessionRequired,
        querystring: recentQuery,
        response: { 200: ListSchema(WatchProgressSchema), 400: badLimit, 401: unauthorized },
      },
    },
    async (request): Promise<List<WatchProgress>> => {
      const user = guard.userOf(request);
      const records = await store.progressOf(user.id, request.query.limit ?? 100);
      return { items: records.map(toWatchProgress) };
    },
  );

  typed.get(
    '/me/dms',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'The newest direct messages to or from the signed-in user, oldest first',
        tags: ['realtime'],
        security: sessionRequired,
        querystring: recentQuery,
        response: { 200: ListSchema(DirectMessageSchema), 400: badLimit, 401: unauthorized },
      },
    },
    async (request): Promise<List<DirectMessage>> => {
      const user = guard.userOf(request);
      const records = await store.recentDms(user.id, request.query.limit ?? 100);
      return { items: records.map((record) => toDirectMessage(record, user.id)) };
    },
  );

  typed.get(
    '/rooms/:roomId/chat',
    {
      // Like the chat: channel, which only signed-in viewers may subscribe to.
      onRequest: guard.requireUser,
      schema: {
        summary: 'The newest chat messages of a series’ fan room, oldest first',
        tags: ['realtime'],
        security: sessionRequired,
        params: Type.Object({ roomId: IdString }),
        querystring: recentQuery,
        response: {
          200: ListSchema(ChatMessageSchema),
          400: problemResponse('INVALID_ID', 'VALIDATION_FAILED', 'PAGE_SIZE_OUT_OF_RANGE'),
          401: unauthorized,
          404: problemResponse('ROOM_NOT_FOUND'),
        },
      },
    },
    async (request): Promise<List<ChatMessage>> => {
      const user = guard.userOf(request);
      const roomId = parseEntityId(request.params.roomId, 'roomId');
      if (!(await store.roomExists(roomId)))
        throw new AppError('ROOM_NOT_FOUND', `Room ${roomId} (a published series) does not exist`);
      const records = await store.recentChat(roomId, request.query.limit ?? 100);
      return { items: records.map((record) => toChatMessage(record, user.id)) };
    },
  );

  typed.get(
    '/episodes/:id/danmu',
    {
      onRequest: guard.resolveViewer,
      schema: {
        summary: 'Danmu of an episode between two video times, in position order',
        description:
          `The window is at most ${MAX_HISTORY_WINDOW_MS} ms of video (to − from), as the ` +
          'gateway’s history frame. When more is true, ask again from the last posMs and drop ' +
          'the items already seen by mid.',
        tags: ['realtime'],
        security: sessionOptional,
        params: Type.Object({ id: IdString }),
        querystring: Type.Object({
          from: Type.Integer({ minimum: 0, maximum: MAX_MEDIA_MS, description: 'Video ms' }),
          to: Type.Integer({ minimum: 0, maximum: MAX_MEDIA_MS, description: 'Video ms' }),
          limit: Type.Optional(BoundedLimit(MAX_HISTORY_PUBLICATIONS, 500)),
          after: Type.Optional(
            Type.String({
              pattern: '^[1-9][0-9]{0,15}$',
              description:
                'Next page after `more`: `from` = the last item’s `posMs`, `after` = its `mid`',
            }),
          ),
        }),
        response: {
          200: DanmuWindowSchema,
          400: problemResponse(
            'INVALID_ID',
            'VALIDATION_FAILED',
            'PAGE_SIZE_OUT_OF_RANGE',
            'INVALID_DANMU_WINDOW',
          ),
          401: badSession,
          404: problemResponse('EPISODE_NOT_FOUND'),
        },
      },
    },
    async (request): Promise<DanmuWindow> => {
      const episodeId = parseEntityId(request.params.id);
      const { from, to, limit = 500, after } = request.query;
      if (to < from || to - from > MAX_HISTORY_WINDOW_MS)
        throw new AppError(
          'INVALID_DANMU_WINDOW',
          `to − from must be between 0 and ${MAX_HISTORY_WINDOW_MS} ms, got ${to - from}`,
        );
      if (!(await store.episodeExists(episodeId)))
        throw new AppError('EPISODE_NOT_FOUND', `Episode ${episodeId} does not exist`);
      const { userId } = await guard.viewerOf(request);
      const window = await store.danmuWindow(episodeId, from, to, limit, after);
      return { items: window.records.map((record) => toDanmu(record, userId)), more: window.more };
    },
  );

  const blockSchema = (summary: string, done: string) => ({
    summary,
    tags: ['realtime'],
    security: sessionRequired,
    params: Type.Object({ userId: IdString }),
    response: {
      204: NoContent(done),
      400: problemResponse('INVALID_ID', 'CANNOT_BLOCK_SELF'),
      401: unauthorized,
      404: problemResponse('USER_NOT_FOUND'),
    },
  });

  /** The other user of a block request: a real account other than the caller. */
  async function blockTarget(rawId: string, me: number): Promise<number> {
    const userId = parseEntityId(rawId, 'userId');
    if (userId === me) throw new AppError('CANNOT_BLOCK_SELF', 'You cannot block yourself');
    if (!(await store.userExists(userId)))
      throw new AppError('USER_NOT_FOUND', `User ${userId} does not exist`);
    return userId;
  }

  typed.get(
    '/me/blocks',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'The users the signed-in user blocked, most recent first',
        tags: ['realtime'],
        security: sessionRequired,
        querystring: recentQuery,
        response: { 200: ListSchema(BlockedUserSchema), 400: badLimit, 401: unauthorized },
      },
    },
    async (request): Promise<List<BlockedUser>> => {
      const me = guard.userOf(request).id;
      const records = await store.blockedUsers(me, request.query.limit ?? 100);
      return {
        items: records.map((r) => ({
          userId: r.userId,
          blockedAt: new Date(r.blockedAtMs).toISOString(),
        })),
      };
    },
  );

  typed.put(
    '/me/blocks/:userId',
    {
      onRequest: guard.requireUser,
      schema: blockSchema(
        'Block a user: they can no longer send you direct messages',
        'Blocked (also when already blocked)',
      ),
    },
    async (request, reply) => {
      const me = guard.userOf(request).id;
      await store.block(me, await blockTarget(request.params.userId, me));
      return reply.code(204).send();
    },
  );

  typed.delete(
    '/me/blocks/:userId',
    {
      onRequest: guard.requireUser,
      schema: blockSchema('Unblock a user', 'Not blocked (also when it was not)'),
    },
    async (request, reply) => {
      const me = guard.userOf(request).id;
      await store.unblock(me, await blockTarget(request.params.userId, me));
      return reply.code(204).send();
    },
  );
}
