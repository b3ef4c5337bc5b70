import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorRegistry, problemType, type ErrorCode } from '@binge/core/protocol/errors';
import type { Problem } from '@binge/core/protocol/catalog';

export function problemOf(code: ErrorCode, detail: string | undefined, instance: string): Problem {
  const { status, title } = errorRegistry[code];
  const problem: Problem = { type: problemType(code), title, status, code, instance };
  if (detail !== undefined && detail !== title) problem.detail = detail;
  return problem;
}

/**
 * Sends RFC 9457 problem details. Serialized here rather than by a route's response schema so
 * that the same bytes go out from the error handler, the not-found handler and hooks alike.
 */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail?: string,
): FastifyReply {
  const problem = problemOf(code, detail, request.url);
  return reply
    .code(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .serializer(JSON.stringify)
    .send(problem);
}
