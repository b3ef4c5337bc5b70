import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MAX_WATCH_BATCH } from '@binge/core/protocol/watch-events';
import type { WatchIngester } from '@binge/core/watch-events/ingest';
import { sessionRequired } from '../auth/auth-schemas.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { WatchAckSchema, WatchEventsBody } from './event-schemas.ts';

export interface EventLimit {
  max: number;
  timeWindowMs: number;
}

export interface EventRoutesOptions {
  ingester: WatchIngester;
  guard: SessionGuard;
  /** Requests per signed-in user and window (each event also counts toward its own budget). */
  limit: EventLimit;
}

/**
 * Ajv's array coercion would turn `{"events": {…}}` into a batch of one: a batch that is not a
 * list is refused instead, so a client learns of its bug rather than losing events silently.
 */
const eventsIsList: preValidationAsyncHookHandler = async (request) => {
  const body = request.body as Record<string, unknown> | null | undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError('VALIDATION_FAILED', 'body must be an object {events: [...]}');
  if (Object.hasOwn(body, 'events') && !Array.isArray(body.events))
    throw new AppError(
      'VALIDATION_FAILED',
      `body/events must be a list of 1 to ${MAX_WATCH_BATCH} events`,
    );
};

/** Watch events from clients without a socket (the gateway's `watch` frame is the other door). */
export async function eventRoutes(app: FastifyInstance, options: EventRoutesOptions) {
  const { ingester, guard, limit } = options;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  typed.post(
    '/events',
    {
      onRequest: guard.requireUser,
      preValidation: eventsIsList,
      config: {
        rateLimit: {
          max: limit.max,
          timeWindow: limit.timeWindowMs,
          keyGenerator: async (request: FastifyRequest) =>
            `events:user:${(await guard.viewerOf(request)).userId}`,
        },
      },
      schema: {
        summary: 'Send watch events',
        description:
          `A batch of 1 to ${MAX_WATCH_BATCH} watch events of the signed-in viewer (start, ` +
          'heartbeat, pause, seek, speed, complete, swipe, like, share, follow_up, unlock), ' +
          'for clients without the realtime socket. Each event is checked on its own; the ' +
          'answer (202: accepted for processing, stored shortly after) counts the accepted ' +
          'ones and lists each refused one with its code. A resend of an event id is answered ' +
          'DUPLICATE and stored once. Events count toward a per-user budget ' +
          '(WATCH_EVENTS_PER_MINUTE), shared with the socket.',
        tags: ['events'],
        security: sessionRequired,
        body: WatchEventsBody,
        response: {
          202: WatchAckSchema,
          400: problemResponse('VALIDATION_FAILED', 'BAD_REQUEST'),
          401: problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED'),
          403: problemResponse('ACCOUNT_BANNED'),
          429: problemResponse('RATE_LIMITED'),
        },
      },
    },
    async (request, reply) => {
      const user = guard.userOf(request);
      const ack = await ingester.ingest(user.id, request.body.events, 'http');
      return reply.code(202).send(ack);
    },
  );
}
