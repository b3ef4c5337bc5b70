import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ModerationError, type ModerationStore } from '@binge/core/moderation/store';
import { sessionRequired } from '../auth/auth-schemas.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { decimalQuery } from '../http/decimal-query.ts';
import { PageQuery, ReportBody, ReportPageSchema, ReportSchema } from './moderation-schemas.ts';
import { decodeIdCursor, pageOf, reportToWire } from './moderation-view.ts';
import { strictBody } from '../http/strict-body.ts';

/** Reports per account and window: enough for someone flagging a raid, not for flooding the queue. */
export interface ReportLimit {
  max: number;
  timeWindowMs: number;
}

export interface ReportRoutesOptions {
  store: ModerationStore;
  guard: SessionGuard;
  limit: ReportLimit;
}

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');

/** A ModerationError as its problem; anything else is unexpected and goes on to INTERNAL. */
export function moderationProblem(error: unknown): unknown {
  return error instanceof ModerationError ? new AppError(error.code, error.message) : error;
}

/** Parses a target id of the wire (decimal digits) to a safe integer. */
export function parseTargetId(raw: string, name = 'targetId'): number {
  const id = Number(raw);
  if (!/^[1-9][0-9]{0,15}$/.test(raw) || !Number.isSafeInteger(id))
    throw new AppError('VALIDATION_FAILED', `${name} must be a positive integer below 2^53`);
  return id;
}

/**
 * Viewers report content and accounts for the moderators (core/src/moderation): `POST /reports`
 * files one, `GET /me/reports` shows the caller's own and what became of them.
 */
export async function reportRoutes(app: FastifyInstance, options: ReportRoutesOptions) {
  const { store, guard, limit } = options;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('preValidation', decimalQuery('limit'));
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  typed.post(
    '/reports',
    {
      onRequest: guard.requireUser,
      preValidation: strictBody({
        targetType: ['string'],
        targetId: ['string', 'number'],
        reason: ['string'],
        detail: ['string'],
      }),
      // After requireUser (the rate-limit hook runs after the route's own), so counted per account.
      config: {
        rateLimit: {
          max: limit.max,
          timeWindow: limit.timeWindowMs,
          keyGenerator: (request) => `report:${guard.userOf(request).id}`,
        },
      },
      schema: {
        summary: 'Report a comment, review, danmu, chat line, DM, user, series or episode',
        description:
          'Moderators see it in their queue with what it names. Reporting the same target again ' +
          'while the first report is open answers that report (200) instead of filing a second ' +
          `(201). A DM only by its sender or recipient. At most ${limit.max} reports per account ` +
          `per ${Math.round(limit.timeWindowMs / 60_000)} minutes (429 RATE_LIMITED).`,
        tags: ['moderation'],
        security: sessionRequired,
        body: ReportBody,
        response: {
          200: ReportSchema,
          201: ReportSchema,
          400: problemResponse('VALIDATION_FAILED', 'CANNOT_REPORT_SELF', 'BAD_REQUEST'),
          401: unauthorized,
          403: problemResponse('FORBIDDEN', 'ACCOUNT_BANNED'),
          404: problemResponse('TARGET_NOT_FOUND'),
          429: problemResponse('RATE_LIMITED'),
        },
      },
    },
    async (request, reply) => {
      const reporterId = guard.userOf(request).id;
      const { targetType, reason, detail = '' } = request.body;
      const targetId = parseTargetId(request.body.targetId);
      try {
        const filed = await store.fileReport({ reporterId, targetType, targetId, reason, detail });
        reply.code(filed.created ? 201 : 200);
        return reportToWire(filed.report);
      } catch (error) {
        throw moderationProblem(error);
      }
    },
  );

  typed.get(
    '/me/reports',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'The caller’s reports and their status, newest first',
        tags: ['moderation'],
        security: sessionRequired,
        querystring: PageQuery,
        response: {
          200: ReportPageSchema,
          400: problemResponse('INVALID_CURSOR', 'PAGE_SIZE_OUT_OF_RANGE', 'VALIDATION_FAILED'),
          401: unauthorized,
          403: problemResponse('ACCOUNT_BANNED'),
        },
      },
    },
    async (request) => {
      const me = guard.userOf(request).id;
      const after = decodeIdCursor(request.query.cursor);
      return pageOf(await store.reportsBy(me, after, request.query.limit ?? 20), reportToWire);
    },
  );
}
