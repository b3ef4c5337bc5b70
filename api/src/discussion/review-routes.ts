import type { FastifyInstance } from 'fastify';
import {
  Type,
  TypeBoxValidatorCompiler,
  type TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';
import type { ReviewCursor, ReviewRecord, ReviewStore } from '@binge/core/discussion/review-store';
import type { TextFilter } from '@binge/core/moderation/text-filter';
import type { RatingSummary, Review } from '@binge/core/protocol/discussion';
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
  RatingSummarySchema,
  ReviewBodySchema,
  ReviewOrderQuery,
  ReviewPageSchema,
  ReviewSchema,
} from './discussion-schemas.ts';
import { checkedText } from './discussion-text-check.ts';

export interface ReviewRoutesOptions {
  store: ReviewStore;
  guard: SessionGuard;
  textFilter: TextFilter;
  cursors: DiscussionCursorCodec;
}

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');

export function reviewToWire(review: ReviewRecord): Review {
  return {
    id: String(review.id),
    seriesId: review.seriesId,
    author: review.author,
    rating: review.rating,
    body: review.body,
    createdAt: review.createdAt.toISOString(),
    updatedAt: review.updatedAt.toISOString(),
    status: review.status,
  };
}

/**
 * Series reviews and their rating summary (core/src/discussion/review-store.ts): one review per
 * user and series, written and rewritten with PUT. Bodies are validated without type coercion,
 * as on the comment routes (`{"rating": true}` is not 1 star).
 */
export async function reviewRoutes(app: FastifyInstance, options: ReviewRoutesOptions) {
  const { store, guard, textFilter, cursors } = options;
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('preValidation', decimalQuery('limit'));
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  const seriesParams = Type.Object({ id: IdString });

  typed.put(
    '/series/:id/review',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Write or rewrite the caller’s review of a series',
        description:
          'One review per user and series: the first PUT creates it (201), later ones replace ' +
          'its rating and text (200). The text passes the keyword filter (masked, or ' +
          'TEXT_BLOCKED). A review a moderator hid stays hidden when rewritten.',
        tags: ['discussion'],
        security: sessionRequired,
        params: seriesParams,
        body: ReviewBodySchema,
        response: {
          200: { ...ReviewSchema, description: 'Replaced' },
          201: ReviewSchema,
          400: problemResponse('INVALID_ID', 'VALIDATION_FAILED'),
          401: unauthorized,
          403: problemResponse('ACCOUNT_BANNED'),
          404: problemResponse('SERIES_NOT_FOUND'),
          422: problemResponse('TEXT_BLOCKED'),
        },
      },
    },
    async (request, reply) => {
      const me = guard.userOf(request).id;
      const seriesId = parseEntityId(request.params.id);
      const body = await checkedText(textFilter, request.body.body ?? '', 'review', me);
      const { review, created } = await refusalsAsProblems(
        store.put({ seriesId, userId: me, rating: request.body.rating, body }),
      );
      return reply.code(created ? 201 : 200).send(reviewToWire(review));
    },
  );

  typed.get(
    '/series/:id/review',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'The caller’s own review of a series',
        description: 'Also while a moderator hides it (`status: hidden`), so its author sees why.',
        tags: ['discussion'],
        security: sessionRequired,
        params: seriesParams,
        response: {
          200: ReviewSchema,
          400: problemResponse('INVALID_ID'),
          401: unauthorized,
          403: problemResponse('ACCOUNT_BANNED'),
          404: problemResponse('REVIEW_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const me = guard.userOf(request).id;
      const seriesId = parseEntityId(request.params.id);
      const review = await store.own(seriesId, me);
      if (review === null)
        throw new AppError('REVIEW_NOT_FOUND', `You have no review of series ${seriesId}`);
      return reviewToWire(review);
    },
  );

  typed.delete(
    '/series/:id/review',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Delete the caller’s own review of a series',
        description: 'Idempotent once written: deleting it again answers 204.',
        tags: ['discussion'],
        security: sessionRequired,
        params: seriesParams,
        response: {
          204: NoContent('Deleted (or already deleted)'),
          400: problemResponse('INVALID_ID'),
          401: unauthorized,
          403: problemResponse('ACCOUNT_BANNED'),
          404: problemResponse('REVIEW_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      const me = guard.userOf(request).id;
      await refusalsAsProblems(store.removeOwn(parseEntityId(request.params.id), me));
      return reply.code(204).send();
    },
  );

  typed.delete(
    '/reviews/:id',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Delete a review: its author, or an admin',
        description: 'Idempotent: deleting a deleted review answers 204 again.',
        tags: ['discussion'],
        security: sessionRequired,
        params: Type.Object({ id: BigIdString }),
        response: {
          204: NoContent('Deleted (or already deleted)'),
          400: problemResponse('INVALID_ID'),
          401: unauthorized,
          403: problemResponse('FORBIDDEN', 'ACCOUNT_BANNED'),
          404: problemResponse('REVIEW_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      const user = guard.userOf(request);
      await refusalsAsProblems(
        store.remove(parseBigId(request.params.id), {
          userId: user.id,
          admin: user.role === 'admin',
        }),
      );
      return reply.code(204).send();
    },
  );

  typed.get(
    '/series/:id/reviews',
    {
      onRequest: guard.resolveViewer,
      schema: {
        summary: 'A series’ reviews',
        description:
          '`new` (default): newest first, by when each user first reviewed. `top`: highest ' +
          'rating first, then newest; a rating changed between two page reads can move its ' +
          'review across the cursor. Visible reviews only; reviews by users the caller blocked ' +
          'are left out.',
        tags: ['discussion'],
        security: sessionOptional,
        params: seriesParams,
        querystring: Type.Object({
          order: Type.Optional(ReviewOrderQuery),
          cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
          limit: Type.Optional(BoundedLimit(50, 20)),
        }),
        response: {
          200: ReviewPageSchema,
          400: problemResponse(
            'INVALID_ID',
            'INVALID_CURSOR',
            'PAGE_SIZE_OUT_OF_RANGE',
            'VALIDATION_FAILED',
          ),
          401: unauthorized,
          404: problemResponse('SERIES_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const seriesId = parseEntityId(request.params.id);
      const { order = 'new', cursor, limit = 20 } = request.query;
      const list = `reviews:${order}:s${seriesId}`;
      let after: ReviewCursor | null = null;
      if (cursor !== undefined) {
        const position = cursors.decode(list, cursor);
        if (order === 'top') {
          const rating = position.key;
          if (rating === undefined || rating < 1 || rating > 5)
            throw new AppError('INVALID_CURSOR');
          after = { order, rating, id: position.id };
        } else {
          after = { order, id: position.id };
        }
      }
      const viewerId = (await guard.viewerOf(request)).userId;
      const page = await refusalsAsProblems(
        store.list(seriesId, { viewerId, order, after, limit }),
      );
      const next = page.next;
      return {
        items: page.items.map(reviewToWire),
        nextCursor:
          next === null
            ? null
            : cursors.encode(list, next.order === 'top' ? { key: next.rating, id: next.id } : next),
      };
    },
  );

  typed.get(
    '/series/:id/rating',
    {
      onRequest: guard.resolveViewer,
      schema: {
        summary: 'The rating summary of a series: average, count, histogram',
        description: 'Over the visible reviews, so it always matches the list of reviews.',
        tags: ['discussion'],
        security: sessionOptional,
        params: seriesParams,
        response: {
          200: RatingSummarySchema,
          400: problemResponse('INVALID_ID'),
          401: unauthorized,
          404: problemResponse('SERIES_NOT_FOUND'),
        },
      },
    },
    async (request): Promise<RatingSummary> => {
      const seriesId = parseEntityId(request.params.id);
      const summary = await refusalsAsProblems(store.summary(seriesId));
      const [one, two, three, four, five] = summary.histogram;
      return {
        seriesId,
        average: summary.average,
        count: summary.count,
        histogram: { '1': one, '2': two, '3': three, '4': four, '5': five },
      };
    },
  );
}
