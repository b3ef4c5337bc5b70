import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { topics, type Bus, type UserBannedMessage } from '@binge/core/bus';
import type { Logger } from '@binge/core/log';
import {
  hideableTargetTypes,
  isHideable,
  isReportTargetType,
  type HideableTargetType,
  type ModerationStore,
  type TargetPreview,
} from '@binge/core/moderation/store';
import { sessionRequired } from '../auth/auth-schemas.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { IdString, problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { decimalQuery } from '../http/decimal-query.ts';
import { parseEntityId } from '../http/entity-id.ts';
import {
  ActionPageSchema,
  BanResultSchema,
  HideableTypeParam,
  HideResultSchema,
  OptionalReasonBody,
  PageQuery,
  QueuePageSchema,
  QueueQuery,
  ReportIdParams,
  RequiredReasonBody,
  ResolveBody,
  ResolveResultSchema,
  TargetIdString,
} from './moderation-schemas.ts';
import {
  actionToWire,
  banToWire,
  decodeIdCursor,
  hideToWire,
  pageOf,
  queuedReportToWire,
} from './moderation-view.ts';
import { moderationProblem, parseTargetId } from './report-routes.ts';
import { strictBody } from '../http/strict-body.ts';

export interface AdminRoutesOptions {
  store: ModerationStore;
  guard: SessionGuard;
  /** Where a ban is announced so every gateway node closes the account's sockets. */
  bus?: Bus;
  logger?: Logger;
}

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');
const notAdmin = problemResponse('ADMIN_REQUIRED', 'ACCOUNT_BANNED');
const gone: TargetPreview = { authorId: null, text: '', state: 'gone' };
const reasonIsText = strictBody({ reason: ['string'], action: ['string'] });

/** A missing body is an empty one (the reason is optional where this is used). */
const emptyBody: preValidationAsyncHookHandler = async (request) => {
  if (request.body === undefined || request.body === null) request.body = {};
};

/**
 * The content type of `/admin/content/{targetType}/...`, checked ahead of the schema so that a
 * reportable type that cannot be hidden says so (INVALID_MODERATION_ACTION) and an unknown one is
 * VALIDATION_FAILED, not the INVALID_ID a params failure would give.
 */
const hideableType: preValidationAsyncHookHandler = async (request) => {
  const { targetType } = request.params as { targetType?: unknown };
  if (isHideable(targetType)) return;
  if (isReportTargetType(targetType))
    throw new AppError(
      'INVALID_MODERATION_ACTION',
      `a ${targetType} cannot be hidden; only ${hideableTargetTypes.join(', ')}`,
    );
  throw new AppError(
    'VALIDATION_FAILED',
    `params/targetType must be one of ${hideableTargetTypes.join(', ')}`,
  );
};

/**
 * The moderators' routes (the `admin` role; 403 ADMIN_REQUIRED for anyone else): the report
 * queue and its resolution, hiding content, banning accounts, and the audit log of all of it.
 */
export async function adminRoutes(app: FastifyInstance, options: AdminRoutesOptions) {
  const { store, guard, bus, logger } = options;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('preValidation', decimalQuery('limit'));
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  /** Tells every gateway node to close the account's sockets; the ban itself is committed. */
  async function announceBan(request: FastifyRequest, userId: number, reason: string) {
    if (bus === undefined) return;
    const message: UserBannedMessage = { userId, reason, ts: Date.now() };
    try {
      await bus.publish(topics.userBanned, message);
    } catch (error) {
      // The account stays banned: its sessions are revoked and a new gateway token is refused;
      // only sockets already open last until their token expires.
      (logger ?? request.log).error({ err: error, userId }, 'announcing a ban failed');
    }
  }

  const adminSchema = {
    tags: ['moderation'],
    security: sessionRequired,
  };

  typed.get(
    '/admin/reports',
    {
      onRequest: guard.requireAdmin,
      schema: {
        ...adminSchema,
        summary: 'The report queue, oldest first, with a preview of what each report names',
        querystring: QueueQuery,
        response: {
          200: QueuePageSchema,
          400: problemResponse('INVALID_CURSOR', 'PAGE_SIZE_OUT_OF_RANGE', 'VALIDATION_FAILED'),
          401: unauthorized,
          403: notAdmin,
        },
      },
    },
    async (request) => {
      const { status, cursor, limit = 20 } = request.query;
      const page = await store.reportQueue(status ?? null, decodeIdCursor(cursor), limit);
      return pageOf(page, queuedReportToWire);
    },
  );

  typed.post(
    '/admin/reports/:id/resolve',
    {
      onRequest: guard.requireAdmin,
      preValidation: reasonIsText,
      schema: {
        ...adminSchema,
        summary: 'Resolve a report: dismiss it, hide what it names, or ban its author',
        description:
          'hide applies to comments, reviews, danmu and chat lines; ban bans the author (the ' +
          'account itself for a user report; the creator for a series or episode) and also ' +
          'hides the content when it can be hidden, revokes the account’s sessions and closes ' +
          'its realtime sockets. hide and ban also resolve every other open report of the same ' +
          'target. Each step is one entry of the audit log.',
        params: ReportIdParams,
        body: ResolveBody,
        response: {
          200: ResolveResultSchema,
          400: problemResponse('INVALID_ID', 'INVALID_MODERATION_ACTION', 'VALIDATION_FAILED'),
          401: unauthorized,
          403: problemResponse('ADMIN_REQUIRED', 'ACCOUNT_BANNED', 'FORBIDDEN'),
          404: problemResponse('REPORT_NOT_FOUND', 'TARGET_NOT_FOUND'),
          409: problemResponse('REPORT_ALREADY_RESOLVED'),
        },
      },
    },
    async (request) => {
      const actorId = guard.userOf(request).id;
      const reportId = parseTargetId(request.params.id, 'id');
      const { action, reason } = request.body;
      let outcome;
      try {
        outcome = await store.resolveReport({ reportId, actorId, action, reason });
      } catch (error) {
        throw moderationProblem(error);
      }
      if (outcome.bannedUserId !== null) await announceBan(request, outcome.bannedUserId, reason);
      const { report } = outcome;
      const target = (await store.preview(report.targetType, report.targetId)) ?? gone;
      return {
        report: queuedReportToWire({ ...report, target }),
        actions: outcome.actions.map(actionToWire),
      };
    },
  );

  for (const hidden of [true, false])
    typed.post(
      `/admin/content/:targetType/:targetId/${hidden ? 'hide' : 'unhide'}`,
      {
        onRequest: guard.requireAdmin,
        preValidation: [hideableType, emptyBody, reasonIsText],
        schema: {
          ...adminSchema,
          summary: hidden
            ? 'Hide a comment, review, danmu or chat line'
            : 'Show a hidden comment, review, danmu or chat line again',
          description: hidden
            ? 'Hidden content leaves every list, replay and history; its open reports are ' +
              'resolved as actioned. A comment or review its author deleted stays deleted.'
            : 'The content is listed and replayed again.',
          params: Type.Object({ targetType: HideableTypeParam, targetId: TargetIdString }),
          body: OptionalReasonBody,
          response: {
            200: HideResultSchema,
            400: problemResponse('INVALID_MODERATION_ACTION', 'INVALID_ID', 'VALIDATION_FAILED'),
            401: unauthorized,
            403: notAdmin,
            404: problemResponse('TARGET_NOT_FOUND'),
          },
        },
      },
      async (request) => {
        const actorId = guard.userOf(request).id;
        const targetType = request.params.targetType as HideableTargetType;
        const targetId = parseTargetId(request.params.targetId);
        try {
          const outcome = await store.setHidden({
            actorId,
            targetType,
            targetId,
            hidden,
            reason: request.body.reason ?? '',
          });
          return hideToWire(outcome);
        } catch (error) {
          throw moderationProblem(error);
        }
      },
    );

  typed.post(
    '/admin/users/:id/ban',
    {
      onRequest: guard.requireAdmin,
      preValidation: reasonIsText,
      schema: {
        ...adminSchema,
        summary: 'Ban an account',
        description:
          'Every route that needs sign-in answers the account 403 ACCOUNT_BANNED from now on; ' +
          'its sessions are revoked in the same transaction, and its realtime sockets are closed ' +
          '(close code 4504, which clients do not reconnect after). A moderator cannot ban ' +
          'themself or another admin (403 FORBIDDEN). Banning a banned account updates the reason.',
        params: Type.Object({ id: IdString }),
        body: RequiredReasonBody,
        response: {
          200: BanResultSchema,
          400: problemResponse('INVALID_ID', 'VALIDATION_FAILED'),
          401: unauthorized,
          403: problemResponse('ADMIN_REQUIRED', 'ACCOUNT_BANNED', 'FORBIDDEN'),
          404: problemResponse('USER_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const actorId = guard.userOf(request).id;
      const userId = parseEntityId(request.params.id);
      const { reason } = request.body;
      let outcome;
      try {
        outcome = await store.ban({ actorId, userId, reason });
      } catch (error) {
        throw moderationProblem(error);
      }
      await announceBan(request, userId, reason);
      return banToWire(outcome);
    },
  );

  typed.post(
    '/admin/users/:id/unban',
    {
      onRequest: guard.requireAdmin,
      preValidation: [emptyBody, reasonIsText],
      schema: {
        ...adminSchema,
        summary: 'Lift a ban',
        description: 'The account can sign in again; the sessions the ban revoked stay revoked.',
        params: Type.Object({ id: IdString }),
        body: OptionalReasonBody,
        response: {
          200: BanResultSchema,
          400: problemResponse('INVALID_ID', 'VALIDATION_FAILED'),
          401: unauthorized,
          403: notAdmin,
          404: problemResponse('USER_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const actorId = guard.userOf(request).id;
      const userId = parseEntityId(request.params.id);
      try {
        return banToWire(await store.unban({ actorId, userId, reason: request.body.reason ?? '' }));
      } catch (error) {
        throw moderationProblem(error);
      }
    },
  );

  typed.get(
    '/admin/actions',
    {
      onRequest: guard.requireAdmin,
      schema: {
        ...adminSchema,
        summary: 'The audit log: every moderation action, newest first',
        querystring: PageQuery,
        response: {
          200: ActionPageSchema,
          400: problemResponse('INVALID_CURSOR', 'PAGE_SIZE_OUT_OF_RANGE', 'VALIDATION_FAILED'),
          401: unauthorized,
          403: notAdmin,
        },
      },
    },
    async (request) => {
      const { cursor, limit = 20 } = request.query;
      return pageOf(await store.actions(decodeIdCursor(cursor), limit), actionToWire);
    },
  );
}
