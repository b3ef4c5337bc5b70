import type { FastifyInstance } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import { AppError } from '../errors/app-error.ts';
import { problemResponse } from '../catalog/catalog-schemas.ts';

const StatusSchema = Type.Object({ status: Type.Literal('ok') });

/** Liveness (the process answers) and readiness (its database answers) probes. */
export async function healthRoutes(app: FastifyInstance, options: { ping: () => Promise<void> }) {
  app.get(
    '/health',
    { schema: { summary: 'Liveness probe', tags: ['ops'], response: { 200: StatusSchema } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness probe: pings the database',
        tags: ['ops'],
        response: { 200: StatusSchema, 503: problemResponse('NOT_READY') },
      },
    },
    async (request) => {
      try {
        await options.ping();
      } catch (error) {
        request.log.warn({ err: error }, 'readiness ping failed');
        throw new AppError('NOT_READY', 'The database does not answer');
      }
      return { status: 'ok' as const };
    },
  );
}
