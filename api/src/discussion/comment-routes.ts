import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  Type,
  TypeBoxValidatorCompiler,
  type TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';
import type {
  CommentCursor,
  CommentRecord,
  CommentStore,
  CommentThreadRecord,
} from '@binge/core/discussion/comment-store';
import type { TextFilter } from '@binge/core/moderation/text-filter';
import type { Progression } from '@binge/core/progression/progression';
import type { Comment, CommentOrder, CommentThread } from '@binge/core/protocol/discussion';
import { sessionOptional, sessionRequired } from '../auth/auth-schemas.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { IdString, problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { decimalQuery } from '../http/decimal-query.ts';
import { parseEntityId } from '../http/entity-id.ts';
import { BoundedLimit, NoContent } from '../realtime-state/realtime-schemas.ts';
import type { DiscussionCursorCodec } from './discussion-cursor.ts';
import { refusalsAsProblems } from './discussion-refusal.ts';
import { BigIdString, parseBigId } from './discussion-id.ts';
import {
  CommentLikeStateSchema,
  CommentOrderQuery,
  CommentPageSchema,
  CommentSchema,
  NewCommentBodySchema,
  ReplyPageSchema,
} from './discussion-schemas.ts';
import { checkedText } from './discussion-text-check.ts';

/** How many comments one user may post per window (replies included). */
export interface CommentLimit {
  max: number;
  timeWindowMs: number;
}

export interface CommentRoutesOptions {
  store: CommentStore;
  guard: SessionGuard;
  textFilter: TextFilter;
  cursors: DiscussionCursorCodec;
  limit: CommentLimit;
  /**
   * Hears about each new comment (experience, the first-comment achievement and daily tasks of
   * core/src/progression). Recorded after the comment is stored, so a failure there is logged
   * and never takes back the comment.
   */
  progression?: Pick<Progression, 'record'>;
}

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');
const banned = problemResponse('ACCOUNT_BANNED');

export function commentToWire(comment: CommentRecord): Comment {
  return {
    id: String(comment.id),
    episodeId: comment.episodeId,
    parentId: comment.parentId === null ? null : String(comment.parentId),
    replyToUserId: comment.replyToUserId,
    author: comment.author,
    body: comment.body,
    likes: comment.likes,
    replies: comment.replies,
    ...(comment.likedByMe === null ? {} : { likedByMe: comment.likedByMe }),
    createdAt: comment.createdAt.toISOString(),
    status: comment.status,
  };
}

function threadToWire(thread: CommentThreadRecord): CommentThread {
  return { ...commentToWire(thread), firstReplies: thread.firstReplies.map(commentToWire) };
}

const listName = (order: CommentOrder, episodeId: number) => `comments:${order}:e${episodeId}`;

/**
 * Comments on episodes, one level of replies and comment likes (core/src/discussion). Reads are
 * open to anonymous viewers (a bad token is still a 401); writes need a session, and only the
 * author or an admin may delete a comment.
 *
 * Bodies are validated by TypeBox without type coercion (Fastify's Ajv default would turn
 * `{"body": 5}` into "5" and `{"parentId": true}` into "true"): a wrong type is VALIDATION_FAILED.
 */
export async function commentRoutes(app: FastifyInstance, options: CommentRoutesOptions) {
  const { store, guard, textFilter, cursors } = options;
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('preValidation', decimalQuery('limit'));
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  const viewerIdOf = async (request: FastifyRequest) => (await guard.viewerOf(request)).userId;

  typed.post(
    '/episodes/:id/comments',
    {
      onRequest: guard.requireUser,
      config: {
        // Per account, not per address: many viewers share a carrier's NAT, one spammer may not.
        // Counted once the request is valid (preHandler), so a typo does not use up the allowance;
        // a refused request costs a schema check and never reaches the database.
        rateLimit: {
          max: options.limit.max,
          timeWindow: options.limit.timeWindowMs,
          hook: 'preHandler',
          keyGenerator: (request: FastifyRequest) => `comment:${guard.userOf(request).id}`,
        },
      },
      schema: {
        summary: 'Comment on an episode, or reply to a comment',
        description:
          'A reply to a reply joins the top-level comment’s thread and records whom it answers ' +
          '(`replyToUserId`). The text passes the keyword filter: blocked words are masked, or ' +
          'the comment is refused with TEXT_BLOCKED. `cmid` makes retries safe: the same cmid ' +
          'answers 200 with the comment first stored. At most 10 comments a minute per account ' +
          'unless configured otherwise.',
        tags: ['discussion'],
        security: sessionRequired,
        params: Type.Object({ id: IdString }),
        body: NewCommentBodySchema,
        response: {
          200: {
            ...CommentSchema,
            description: 'A retry: the comment first stored with this cmid',
          },
          201: CommentSchema,
          400: problemResponse('INVALID_ID', 'VALIDATION_FAILED', 'REPLY_TARGET_INVALID'),
          401: unauthorized,
          403: banned,
          404: problemResponse('EPISODE_NOT_FOUND'),
          409: problemResponse('COMMENT_GONE', 'IDEMPOTENCY_KEY_REUSED'),
          422: problemResponse('TEXT_BLOCKED'),
          429: problemResponse('RATE_LIMITED'),
        },
      },
    },
    async (request, reply) => {
      const me = guard.userOf(request).id;
      const episodeId = parseEntityId(request.params.id);
      const { cmid } = request.body;
      const parentId =
        request.body.parentId === undefined ? null : parseParentId(request.body.parentId);
      const body = await checkedText(textFilter, request.body.body, 'comment', me);
      const { comment, created } = await refusalsAsProblems(
        store.post({ episodeId, userId: me, body, parentId, cmid }),
      );
      if (created && options.progression)
        try {
          await options.progression.record({ kind: 'comment', userId: me });
        } catch (error) {
          request.log.warn({ err: error, userId: me }, 'progression of a comment failed');
        }
      return reply.code(created ? 201 : 200).send(commentToWire(comment));
    },
  );

  typed.get(
    '/episodes/:id/comments',
    {
      onRequest: guard.resolveViewer,
      schema: {
        summary: 'An episode’s comments, each with its first replies',
        description:
          'Top-level comments, each with its oldest visible replies (up to 3) and its reply ' +
          'count. `new`: newest first; a walk of pages returns every comment that existed when ' +
          'it started exactly once, whatever is posted or liked meanwhile. `hot` (default): most ' +
          'liked first, then newest, keyset on (likes, id): a page never repeats a comment, but a ' +
          'comment whose likes change between two page reads may move across the cursor (missed, ' +
          'or met again on a later page): drop ids already shown. A deleted or hidden comment ' +
          'with replies is a placeholder without author and body; comments by users the caller ' +
          'blocked are left out.',
        tags: ['discussion'],
        security: sessionOptional,
        params: Type.Object({ id: IdString }),
        querystring: Type.Object({
          order: Type.Optional(CommentOrderQuery),
          cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
          limit: Type.Optional(BoundedLimit(50, 20)),
        }),
        response: {
          200: CommentPageSchema,
          400: problemResponse(
            'INVALID_ID',
            'INVALID_CURSOR',
            'PAGE_SIZE_OUT_OF_RANGE',
            'VALIDATION_FAILED',
          ),
          401: unauthorized,
          404: problemResponse('EPISODE_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const episodeId = parseEntityId(request.params.id);
      const { order = 'hot', cursor, limit = 20 } = request.query;
      const list = listName(order, episodeId);
      let after: CommentCursor | null = null;
      if (cursor !== undefined) {
        const position = cursors.decode(list, cursor);
        if (order === 'hot') {
          if (position.key === undefined) throw new AppError('INVALID_CURSOR');
          after = { order, likes: position.key, id: position.id };
        } else {
          after = { order, id: position.id };
        }
      }
      const page = await refusalsAsProblems(
        store.list(episodeId, { viewerId: await viewerIdOf(request), order, after, limit }),
      );
      const next = page.next;
      return {
        items: page.items.map(threadToWire),
        nextCursor:
          next === null
            ? null
            : cursors.encode(list, next.order === 'hot' ? { key: next.likes, id: next.id } : next),
      };
    },
  );

  typed.get(
    '/comments/:id/replies',
    {
      onRequest: guard.resolveViewer,
      schema: {
        summary: 'The visible replies of a comment, oldest first',
        tags: ['discussion'],
        security: sessionOptional,
        params: Type.Object({ id: BigIdString }),
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
          limit: Type.Optional(BoundedLimit(50, 20)),
        }),
        response: {
          200: ReplyPageSchema,
          400: problemResponse('INVALID_ID', 'INVALID_CURSOR', 'PAGE_SIZE_OUT_OF_RANGE'),
          401: unauthorized,
          404: problemResponse('COMMENT_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const parentId = parseBigId(request.params.id);
      const { cursor, limit = 20 } = request.query;
      const list = `replies:c${parentId}`;
      const after = cursor === undefined ? null : cursors.decode(list, cursor).id;
      const page = await refusalsAsProblems(
        store.replies(parentId, { viewerId: await viewerIdOf(request), after, limit }),
      );
      return {
        items: page.items.map(commentToWire),
        nextCursor: page.next === null ? null : cursors.encode(list, { id: page.next }),
      };
    },
  );

  typed.delete(
    '/comments/:id',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Delete a comment: its author, or an admin',
        description:
          'Idempotent: deleting a deleted comment answers 204 again and counts nothing twice. ' +
          'A deleted comment with replies stays as a placeholder in its thread.',
        tags: ['discussion'],
        security: sessionRequired,
        params: Type.Object({ id: BigIdString }),
        response: {
          204: NoContent('Deleted (or already deleted)'),
          400: problemResponse('INVALID_ID'),
          401: unauthorized,
          403: problemResponse('FORBIDDEN', 'ACCOUNT_BANNED'),
          404: problemResponse('COMMENT_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      const user = guard.userOf(request);
      const commentId = parseBigId(request.params.id);
      await refusalsAsProblems(
        store.remove(commentId, { userId: user.id, admin: user.role === 'admin' }),
      );
      return reply.code(204).send();
    },
  );

  for (const [method, liked] of [
    ['PUT', true],
    ['DELETE', false],
  ] as const)
    typed.route({
      method,
      url: '/comments/:id/like',
      onRequest: guard.requireUser,
      schema: {
        summary: liked ? 'Like a comment' : 'Take back a like of a comment',
        description:
          'Set semantics: liking twice or unliking what was never liked changes nothing and ' +
          'answers the same state. ' +
          (liked ? 'A deleted or hidden comment takes no new likes (COMMENT_GONE).' : ''),
        tags: ['discussion'],
        security: sessionRequired,
        params: Type.Object({ id: BigIdString }),
        response: {
          200: CommentLikeStateSchema,
          400: problemResponse('INVALID_ID'),
          401: unauthorized,
          403: banned,
          404: problemResponse('COMMENT_NOT_FOUND'),
          ...(liked ? { 409: problemResponse('COMMENT_GONE') } : {}),
        },
      },
      handler: async (request) => {
        const me = guard.userOf(request).id;
        const commentId = parseBigId(request.params.id);
        return refusalsAsProblems(store.setLike(commentId, me, liked));
      },
    });
}

function parseParentId(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id))
    throw new AppError('VALIDATION_FAILED', 'body/parentId must be at most 9007199254740991');
  return id;
}
