import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { FeedCursorError, type FeedService } from '@binge/core/feed/feed-service';
import { sessionOptional } from '../auth/auth-schemas.ts';
import { unauthorized } from '../auth/auth-routes.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { decimalQuery } from '../http/decimal-query.ts';
import { FeedPageSchema, FeedQuery } from './feed-schemas.ts';

export interface FeedRoutesOptions {
  feed: FeedService;
  guard: SessionGuard;
  now?: () => Date;
}

/** The feed under /api/v1, for clients without the realtime socket (which has its `feed` frame). */
export async function feedRoutes(app: FastifyInstance, options: FeedRoutesOptions) {
  const { feed, guard } = options;
  const now = options.now ?? (() => new Date());
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preValidation', decimalQuery('limit'));

  typed.get(
    '/feed',
    {
      onRequest: guard.resolveViewer,
      schema: {
        summary: 'One page of the endless, ranked feed',
        description:
          'Episodes ranked for the caller by the feed ranker (expected watch time, then ' +
          'diversity, exploration slots and already-watched filtering); anonymous callers get ' +
          'the cold-start feed. Pass `next` as `cursor` for the following page: pages of one ' +
          'session never repeat an episode until everything was shown, then the least recently ' +
          'shown come back. A cursor is bound to the viewer it was issued to (another one, or a ' +
          'forged one, is INVALID_CURSOR: start again without it). Send each entry’s ' +
          '`impression` as `imp` in its watch events.',
        tags: ['feed'],
        security: sessionOptional,
        querystring: FeedQuery,
        response: {
          200: FeedPageSchema,
          400: problemResponse('INVALID_CURSOR', 'PAGE_SIZE_OUT_OF_RANGE', 'VALIDATION_FAILED'),
          401: unauthorized,
        },
      },
    },
    async (request) => {
      const { cursor, limit = 20 } = request.query;
      const { userId } = await guard.viewerOf(request);
      try {
        const page = await feed.page({
          viewerId: userId,
          ...(cursor === undefined ? {} : { cursor }),
          limit,
          now: now(),
          surface: 'http',
        });
        return {
          items: page.entries.map((entry) => ({
            episodeId: entry.episodeId,
            seriesId: entry.seriesId,
            impression: entry.impression,
            source: entry.source,
          })),
          next: page.next,
        };
      } catch (error) {
        if (error instanceof FeedCursorError) throw new AppError('INVALID_CURSOR', error.message);
        throw error;
      }
    },
  );
}
