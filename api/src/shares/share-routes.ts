import type {
  FastifyInstance,
  FastifyRequest,
  onRequestAsyncHookHandler,
  preValidationAsyncHookHandler,
} from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Progression } from '@binge/core/progression/progression';
import type { ShareLink } from '@binge/core/protocol/shares';
import { isShareCode } from '@binge/core/shares/share-code';
import { ShareTargetNotFoundError, type Share, type ShareStore } from '@binge/core/shares/store';
import { sessionOptional, sessionRequired } from '../auth/auth-schemas.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { strictBody } from '../http/strict-body.ts';
import {
  CreateShareBody,
  ShareCodeParam,
  ShareLinkSchema,
  ShareStatsSchema,
} from './share-schemas.ts';

export interface ShareLimit {
  max: number;
  timeWindowMs: number;
}

export interface ShareRoutesOptions {
  store: ShareStore;
  guard: SessionGuard;
  /** The origin the links are built on (PUBLIC_URL), without a trailing slash. */
  publicUrl: string;
  /** Links created per signed-in user, or per IP address for anonymous callers, per window. */
  limit: ShareLimit;
  /** Counts a signed-in sharer's share toward the daily share task and achievements. */
  progression?: Pick<Progression, 'record'>;
}

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');

export function shareUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/s/${code}`;
}

export function toShareLink(publicUrl: string, share: Share): ShareLink {
  return {
    code: share.code,
    url: shareUrl(publicUrl, share.code),
    targetType: share.targetType,
    targetId: share.targetId,
    channel: share.channel,
    createdAt: share.createdAt.toISOString(),
  };
}

/** Ajv would coerce `"12"` or `true` into a targetId: a wrong type is refused instead. */
const strictBodyTypes = strictBody({
  targetId: ['number'],
  targetType: ['string'],
  channel: ['string'],
});

const validCode: preValidationAsyncHookHandler = async (request) => {
  const { code } = request.params as { code?: unknown };
  if (!isShareCode(code))
    throw new AppError('VALIDATION_FAILED', 'params/code must be 10 letters or digits');
};

/**
 * Share links under /api/v1: creating one (signed in or not) and the sharer's statistics. The
 * link itself, `/s/<code>`, is served by share-link-routes.ts outside /api.
 */
export async function shareRoutes(app: FastifyInstance, options: ShareRoutesOptions) {
  const { store, guard, publicUrl, limit } = options;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  /**
   * Anonymous callers pass; a caller with a session must have a live, unbanned account (the
   * guard's requireUser), since the share is recorded under it.
   */
  const accountIfSignedIn: onRequestAsyncHookHandler = async function (request, reply) {
    const { userId } = await guard.viewerOf(request);
    if (userId !== null) await guard.requireUser.call(this, request, reply);
  };

  async function sharerOf(request: FastifyRequest): Promise<number | null> {
    const { userId } = await guard.viewerOf(request);
    return userId === null ? null : guard.userOf(request).id;
  }

  typed.post(
    '/shares',
    {
      onRequest: [guard.resolveViewer, accountIfSignedIn],
      preValidation: strictBodyTypes,
      config: {
        rateLimit: {
          max: limit.max,
          timeWindow: limit.timeWindowMs,
          // Per account when signed in (a household behind one address shares freely), else per IP.
          keyGenerator: async (request: FastifyRequest) => {
            const { userId } = await guard.viewerOf(request);
            return userId === null ? `share:ip:${request.ip}` : `share:user:${userId}`;
          },
        },
      },
      schema: {
        summary: 'Create a share link to an episode or a series',
        description:
          'Signed in or anonymous. Returns a new code and its absolute URL `<PUBLIC_URL>/s/<code>` ' +
          'every time (one link per share): the link counts as a share of the target and of its ' +
          'series (counters and the hot ranking). Limited per account, or per IP address ' +
          'without a session.',
        tags: ['shares'],
        security: sessionOptional,
        body: CreateShareBody,
        response: {
          201: ShareLinkSchema,
          400: problemResponse('VALIDATION_FAILED', 'BAD_REQUEST'),
          401: unauthorized,
          403: problemResponse('ACCOUNT_BANNED'),
          404: problemResponse('EPISODE_NOT_FOUND', 'SERIES_NOT_FOUND'),
          429: problemResponse('RATE_LIMITED'),
        },
      },
    },
    async (request, reply) => {
      const { targetType, targetId, channel = 'link' } = request.body;
      let share: Share;
      const userId = await sharerOf(request);
      try {
        share = await store.create({
          userId,
          targetType,
          targetId,
          channel,
        });
      } catch (error) {
        if (error instanceof ShareTargetNotFoundError)
          throw new AppError(
            targetType === 'episode' ? 'EPISODE_NOT_FOUND' : 'SERIES_NOT_FOUND',
            error.message,
          );
        throw error;
      }
      // After the share is stored: progression reads the day's shares to decide the task.
      if (userId !== null) await options.progression?.record({ kind: 'share', userId });
      reply.code(201).header('location', `/api/v1/shares/${share.code}`);
      return toShareLink(publicUrl, share);
    },
  );

  typed.get(
    '/shares/:code',
    {
      onRequest: guard.requireUser,
      preValidation: validCode,
      schema: {
        summary: 'Statistics of a share link, for the user who created it',
        description:
          'Only the sharer may read them (403 FORBIDDEN for anyone else). A link created without ' +
          'a session has no owner, so its statistics are nobody’s to read.',
        tags: ['shares'],
        security: sessionRequired,
        params: Type.Object({ code: ShareCodeParam }),
        response: {
          200: ShareStatsSchema,
          400: problemResponse('VALIDATION_FAILED'),
          401: unauthorized,
          403: problemResponse('FORBIDDEN', 'ACCOUNT_BANNED'),
          404: problemResponse('SHARE_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const me = guard.userOf(request).id;
      const share = await store.find(request.params.code);
      if (share === null)
        throw new AppError('SHARE_NOT_FOUND', `No share link ${request.params.code}`);
      if (share.userId === null)
        throw new AppError('FORBIDDEN', 'This link was shared anonymously; it has no owner');
      if (share.userId !== me)
        throw new AppError('FORBIDDEN', 'Only the user who shared a link can see its statistics');
      return { ...toShareLink(publicUrl, share), opens: share.opens };
    },
  );
}
