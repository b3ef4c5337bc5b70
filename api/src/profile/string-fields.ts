import type { preValidationAsyncHookHandler } from 'fastify';
import { AppError } from '../errors/app-error.ts';

/**
 * Checks a JSON object body before schema validation: only the named fields, each a JSON string.
 * Fastify's Ajv would otherwise coerce a wrong type (`42` to `"42"`, storing a number sent by
 * mistake as a nickname) and silently drop an unknown field (`{ "role": "admin" }` answered 200
 * as if it had done something). Other body shapes are left to the schema.
 */
export function stringFields(...names: string[]): preValidationAsyncHookHandler {
  return async (request) => {
    const body = request.body as Record<string, unknown> | null | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
    for (const [name, value] of Object.entries(body)) {
      if (!names.includes(name))
        throw new AppError('VALIDATION_FAILED', `body/${name} is not a field of this request`);
      if (typeof value !== 'string')
        throw new AppError('VALIDATION_FAILED', `body/${name} must be a string`);
    }
  };
}
