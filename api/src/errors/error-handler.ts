import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '@binge/core/protocol/errors';
import { AppError } from './app-error.ts';
import { sendProblem } from './problem.ts';

/** Client errors Fastify itself raises (body parsing, limits), by status. */
const codeByStatus: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
};

/**
 * Route schemas name their id parameters `id`/`assetId` with a digits pattern; a params
 * validation failure is therefore always a malformed id. A `limit` outside its bounds gets its
 * own code so clients can tell it from a type error.
 */
function validationCode(error: FastifyError): ErrorCode {
  if (error.validationContext === 'params') return 'INVALID_ID';
  const first = error.validation?.[0];
  if (
    error.validationContext === 'querystring' &&
    first?.instancePath === '/limit' &&
    (first.keyword === 'minimum' || first.keyword === 'maximum')
  )
    return 'PAGE_SIZE_OUT_OF_RANGE';
  return 'VALIDATION_FAILED';
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    if (error.headers) reply.headers(error.headers);
    return sendProblem(request, reply, error.code, error.message);
  }
  if (error.validation) {
    return sendProblem(request, reply, validationCode(error), error.message);
  }
  const status = error.statusCode ?? 500;
  const code = status < 500 ? (codeByStatus[status] ?? 'BAD_REQUEST') : undefined;
  if (code) return sendProblem(request, reply, code, error.message);
  // Unexpected: log everything, send nothing about it (no stack, no message).
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(request, reply, 'INTERNAL', `See server logs for request ${request.id}`);
}
