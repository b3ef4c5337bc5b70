import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Notification, NotificationStore } from '@binge/core/notifications';
import { sessionRequired } from '../auth/auth-schemas.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { decimalQuery } from '../http/decimal-query.ts';
import { BoundedLimit, NoContent } from '../realtime-state/realtime-schemas.ts';
import { InboxSchema, MarkReadBody } from './notification-schemas.ts';

export interface NotificationRoutesOptions {
  store: NotificationStore;
  guard: SessionGuard;
}

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');

/**
 * The cursor of the inbox is the last item's id in decimal: it only positions a read of the
 * caller's own inbox, so there is nothing to sign. Anything else is INVALID_CURSOR.
 */
function decodeCursor(token: string): number {
  const id = /^[1-9][0-9]{0,15}$/.test(token) ? Number(token) : NaN;
  if (!Number.isSafeInteger(id)) throw new AppError('INVALID_CURSOR');
  return id;
}

/** `12` or `n12` (the id of the live push) to 12. */
function parseNotificationId(raw: string): number {
  const id = Number(raw.startsWith('n') ? raw.slice(1) : raw);
  if (!Number.isSafeInteger(id) || id < 1)
    throw new AppError('VALIDATION_FAILED', `body/ids: ${raw} is not a notification id`);
  return id;
}

const toWire = (notification: Notification) => ({
  id: String(notification.id),
  kind: notification.kind,
  text: notification.text,
  url: notification.url,
  createdAt: notification.createdAt.toISOString(),
  readAt: notification.readAt === null ? null : notification.readAt.toISOString(),
});

/**
 * The signed-in user's notification inbox (core/src/notifications): what the gateway pushed live
 * on `notify:<userId>`, kept for when the user was offline. Only the caller's own inbox is
 * reachable; ids of other users' notifications are ignored when marking read.
 */
export async function notificationRoutes(app: FastifyInstance, options: NotificationRoutesOptions) {
  const { store, guard } = options;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('preValidation', decimalQuery('limit'));
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  typed.get(
    '/me/notifications',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'The caller’s notifications, newest first, with the unread count',
        tags: ['notifications'],
        security: sessionRequired,
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
          limit: Type.Optional(BoundedLimit(100, 20)),
        }),
        response: {
          200: InboxSchema,
          400: problemResponse('INVALID_CURSOR', 'PAGE_SIZE_OUT_OF_RANGE', 'VALIDATION_FAILED'),
          401: unauthorized,
        },
      },
    },
    async (request) => {
      const me = guard.userOf(request).id;
      const { cursor, limit = 20 } = request.query;
      const page = await store.inbox(me, cursor === undefined ? null : decodeCursor(cursor), limit);
      return {
        items: page.items.map(toWire),
        unread: page.unread,
        ...(page.next === null ? {} : { nextCursor: String(page.next) }),
      };
    },
  );

  typed.post(
    '/me/notifications/read',
    {
      onRequest: guard.requireUser,
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
      schema: {
        summary: 'Mark the caller’s notifications read: the ids given, or all',
        tags: ['notifications'],
        security: sessionRequired,
        body: MarkReadBody,
        response: {
          204: NoContent('Marked read; ids of other users’ notifications are left alone'),
          400: problemResponse('VALIDATION_FAILED'),
          401: unauthorized,
        },
      },
    },
    async (request, reply) => {
      const me = guard.userOf(request).id;
      const { ids } = request.body;
      await store.markRead(me, ids === undefined ? 'all' : ids.map(parseNotificationId));
      return reply.code(204).send();
    },
  );
}
