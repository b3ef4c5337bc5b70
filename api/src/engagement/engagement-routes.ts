import type { FastifyInstance, preValidationAsyncHookHandler } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  EngagementTargetNotFoundError,
  isEngagementKind,
  isEngagementTargetType,
  isValidTarget,
  targetTypesOf,
  type EngagementKind,
  type EngagementPage,
  type EngagementStore,
  type EngagementTargetType,
} from '@binge/core/engagement';
import { createHlc, HlcDriftError, type Hlc } from '@binge/core/protocol/crdt/hlc';
import type { HlcStamp } from '@binge/core/protocol/crdt/hlc-stamp';
import type { Progression } from '@binge/core/progression/progression';
import type { ErrorCode } from '@binge/core/protocol/errors';
import { sessionRequired } from '../auth/auth-schemas.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { IdString, problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { decimalQuery } from '../http/decimal-query.ts';
import { parseEntityId } from '../http/entity-id.ts';
import { BoundedLimit } from '../realtime-state/realtime-schemas.ts';
import { decodeEngagementCursor, encodeEngagementCursor } from './engagement-cursor.ts';
import {
  EngagementListSchema,
  EngagementStateQuery,
  EngagementStateSchema,
  EngagementWriteBody,
  MAX_STATE_IDS,
  EngagementWriteResultSchema,
  KindParam,
  TargetTypeParam,
  UserEdgeListSchema,
} from './engagement-schemas.ts';

export interface EngagementRoutesOptions {
  store: EngagementStore;
  guard: SessionGuard;
  /** The server's HLC: stamps writes sent without one, and bounds how far ahead a client's may be. */
  clock?: Hlc;
  /** Counts a new follow-up (追剧) toward achievements once the write is stored. */
  progression?: Pick<Progression, 'record'>;
}

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');
const notFoundCode: Record<EngagementTargetType, ErrorCode> = {
  episode: 'EPISODE_NOT_FOUND',
  series: 'SERIES_NOT_FOUND',
  user: 'USER_NOT_FOUND',
};

function invalidTarget(detail: string): AppError {
  return new AppError('INVALID_ENGAGEMENT_TARGET', detail);
}

const allowed = (kind: EngagementKind) => targetTypesOf[kind].join(' or ');

/**
 * Checks `kind` and `targetType` (path or query) ahead of schema validation, so that an unknown
 * kind or a combination the set cannot hold is INVALID_ENGAGEMENT_TARGET rather than the params
 * failure (INVALID_ID) or a type error the schema would report.
 */
const kindAndTarget: preValidationAsyncHookHandler = async (request) => {
  const params = request.params as { kind?: unknown; targetType?: unknown };
  const query = request.query as { targetType?: unknown };
  const { kind } = params;
  if (!isEngagementKind(kind))
    throw invalidTarget(`kind must be one of like, favourite, follow_up, follow`);
  const targetType = params.targetType ?? query.targetType;
  if (targetType === undefined) return;
  if (!isEngagementTargetType(targetType))
    throw invalidTarget(`targetType must be episode, series or user`);
  if (!isValidTarget(kind, targetType))
    throw invalidTarget(`a ${kind} names ${allowed(kind)}, not ${targetType}`);
};

/** A missing body is an empty one: the server stamps the change. */
const emptyBody: preValidationAsyncHookHandler = async (request) => {
  if (request.body === undefined || request.body === null) request.body = {};
};

function pageOf<T>(page: EngagementPage<T>) {
  return {
    items: page.items,
    nextCursor: page.next === null ? null : encodeEngagementCursor(page.next),
  };
}

/**
 * Likes, favourites, follow-ups (追剧) and follows of the signed-in user, each an LWW element set
 * (core/src/engagement). Writes go to `/me/...` only: the caller's own sets are the only ones
 * anybody can change.
 */
export async function engagementRoutes(app: FastifyInstance, options: EngagementRoutesOptions) {
  const { store, guard } = options;
  const clock = options.clock ?? createHlc({ node: 'api' });
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('preValidation', decimalQuery('limit'));
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  /** The stamp of a write: the device's, checked against our clock, or our own. */
  function stampOf(hlc: HlcStamp | undefined): HlcStamp {
    if (hlc === undefined) return clock.now();
    try {
      // receive() moves our clock past the device's, so our own later stamps order after it.
      clock.receive(hlc);
    } catch (error) {
      if (error instanceof HlcDriftError)
        throw new AppError('HLC_CLOCK_DRIFT', `${error.message}; fix the device clock`);
      throw new AppError('VALIDATION_FAILED', `body/hlc: ${(error as Error).message}`);
    }
    return hlc;
  }

  const writeSchema = (summary: string) => ({
    summary,
    description:
      'The set converges across devices: the write with the later HLC stamp wins, whatever order ' +
      'writes arrive in, and a remove wins an exact tie. `applied` is false when a later write ' +
      'already decided; `present` and `count` are the outcome either way.',
    tags: ['engagement'],
    security: sessionRequired,
    params: Type.Object({ kind: KindParam, targetType: TargetTypeParam, targetId: IdString }),
    body: EngagementWriteBody,
    response: {
      200: EngagementWriteResultSchema,
      400: problemResponse(
        'INVALID_ID',
        'INVALID_ENGAGEMENT_TARGET',
        'CANNOT_FOLLOW_SELF',
        'HLC_CLOCK_DRIFT',
        'VALIDATION_FAILED',
      ),
      401: unauthorized,
      404: problemResponse('EPISODE_NOT_FOUND', 'SERIES_NOT_FOUND', 'USER_NOT_FOUND'),
    },
  });

  for (const [method, present] of [
    ['PUT', true],
    ['DELETE', false],
  ] as const)
    typed.route({
      method,
      url: '/me/:kind/:targetType/:targetId',
      onRequest: guard.requireUser,
      preValidation: [kindAndTarget, emptyBody],
      schema: writeSchema(
        present
          ? 'Like, favourite, follow up (追剧) or follow: add the target to the caller’s set'
          : 'Unlike, unfavourite, stop following up or unfollow: remove it from the set',
      ),
      handler: async (request) => {
        const me = guard.userOf(request).id;
        const { kind, targetType } = request.params;
        const targetId = parseEntityId(request.params.targetId, 'targetId');
        if (kind === 'follow' && targetId === me)
          throw new AppError('CANNOT_FOLLOW_SELF', 'You cannot follow yourself');
        const hlc = stampOf(request.body.hlc);
        try {
          const result = await store.write(me, { kind, targetType, targetId, present, hlc });
          if (kind === 'follow_up' && result.applied && result.present)
            await options.progression?.record({ kind: 'follow_up', userId: me });
          return result;
        } catch (error) {
          if (error instanceof EngagementTargetNotFoundError)
            throw new AppError(notFoundCode[error.targetType], error.message);
          throw error;
        }
      },
    });

  typed.get(
    '/me/:kind/:targetType',
    {
      onRequest: guard.requireUser,
      preValidation: kindAndTarget,
      schema: {
        summary:
          'Whether the caller liked, favourited, followed up or follows each of some targets',
        description:
          'What a screen of cards needs in one request: for each id asked, whether it is in the ' +
          'caller’s set and its count of this kind. Ids that name nothing answer `present: ' +
          'false, count: 0`, so a card that vanished does not fail the whole screen.',
        tags: ['engagement'],
        security: sessionRequired,
        params: Type.Object({ kind: KindParam, targetType: TargetTypeParam }),
        querystring: EngagementStateQuery,
        response: {
          200: EngagementStateSchema,
          400: problemResponse('INVALID_ENGAGEMENT_TARGET', 'INVALID_ID', 'VALIDATION_FAILED'),
          401: unauthorized,
        },
      },
    },
    async (request) => {
      const me = guard.userOf(request).id;
      const { kind, targetType } = request.params;
      const raw = request.query.ids.split(',');
      if (raw.length > MAX_STATE_IDS)
        throw new AppError(
          'VALIDATION_FAILED',
          `querystring/ids names ${raw.length} ids; at most ${MAX_STATE_IDS} per request`,
        );
      const ids = raw.map((id) => parseEntityId(id.trim(), 'ids'));
      return { items: await store.state(me, kind, targetType, ids) };
    },
  );

  const pageQuery = {
    cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
    limit: Type.Optional(BoundedLimit(100, 20)),
  };

  typed.get(
    '/me/:kind',
    {
      onRequest: guard.requireUser,
      preValidation: kindAndTarget,
      schema: {
        summary: 'The caller’s likes, favourites, follow-ups or follows, newest first',
        tags: ['engagement'],
        security: sessionRequired,
        params: Type.Object({ kind: KindParam }),
        querystring: Type.Object({
          targetType: Type.Optional(
            Type.Unsafe<EngagementTargetType>({
              ...TargetTypeParam,
              description: 'Required for like and favourite (episode or series)',
            }),
          ),
          ...pageQuery,
        }),
        response: {
          200: EngagementListSchema,
          400: problemResponse(
            'INVALID_ENGAGEMENT_TARGET',
            'INVALID_CURSOR',
            'PAGE_SIZE_OUT_OF_RANGE',
            'VALIDATION_FAILED',
          ),
          401: unauthorized,
        },
      },
    },
    async (request) => {
      const me = guard.userOf(request).id;
      const { kind } = request.params;
      const { cursor, limit = 20 } = request.query;
      const only = targetTypesOf[kind];
      const targetType = request.query.targetType ?? (only.length === 1 ? only[0] : undefined);
      if (targetType === undefined)
        throw invalidTarget(`GET /me/${kind} needs targetType=${only.join(' or targetType=')}`);
      const position = cursor === undefined ? null : decodeEngagementCursor(cursor);
      return pageOf(await store.list(me, kind, targetType, position, limit));
    },
  );

  const userListSchema = (summary: string) => ({
    summary,
    tags: ['engagement'],
    security: sessionRequired,
    params: Type.Object({ id: IdString }),
    querystring: Type.Object(pageQuery),
    response: {
      200: UserEdgeListSchema,
      400: problemResponse('INVALID_ID', 'INVALID_CURSOR', 'PAGE_SIZE_OUT_OF_RANGE'),
      401: unauthorized,
      404: problemResponse('USER_NOT_FOUND'),
    },
  });

  async function existingUser(raw: string): Promise<number> {
    const userId = parseEntityId(raw);
    if (!(await store.targetExists('user', userId)))
      throw new AppError('USER_NOT_FOUND', `User ${userId} does not exist`);
    return userId;
  }

  typed.get(
    '/users/:id/followers',
    {
      onRequest: guard.requireUser,
      schema: userListSchema('Who follows a user, newest follow first'),
    },
    async (request) => {
      const userId = await existingUser(request.params.id);
      const { cursor, limit = 20 } = request.query;
      const position = cursor === undefined ? null : decodeEngagementCursor(cursor);
      return pageOf(await store.followers(userId, position, limit));
    },
  );

  typed.get(
    '/users/:id/following',
    {
      onRequest: guard.requireUser,
      schema: userListSchema('Whom a user follows, newest follow first'),
    },
    async (request) => {
      const userId = await existingUser(request.params.id);
      const { cursor, limit = 20 } = request.query;
      const position = cursor === undefined ? null : decodeEngagementCursor(cursor);
      const page = await store.list(userId, 'follow', 'user', position, limit);
      return pageOf({
        items: page.items.map((edge) => ({ userId: edge.targetId, hlc: edge.hlc })),
        next: page.next,
      });
    },
  );
}
