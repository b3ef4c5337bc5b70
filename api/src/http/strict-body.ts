import type { preValidationAsyncHookHandler } from 'fastify';
import { AppError } from '../errors/app-error.ts';

type JsonType = 'string' | 'number';

/**
 * Ajv's type coercion (Fastify's default) would store `{"detail": 5}` as the text "5" and read
 * `{"reason": false}` as "false". A `preValidation` hook that refuses a body field of any JSON
 * type but the ones named, so a wrong type is VALIDATION_FAILED rather than a guess; the schema
 * then checks values, required fields and unknown ones as usual.
 */
export function strictBody(
  types: Record<string, readonly JsonType[]>,
): preValidationAsyncHookHandler {
  return async (request) => {
    const body = request.body as Record<string, unknown> | null | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
    for (const [name, allowed] of Object.entries(types)) {
      if (!Object.hasOwn(body, name)) continue;
      const value = body[name];
      if (!allowed.some((type) => typeof value === type))
        throw new AppError('VALIDATION_FAILED', `body/${name} must be a ${allowed.join(' or a ')}`);
    }
  };
}
