import type { preValidationAsyncHookHandler } from 'fastify';
import { AppError } from '../errors/app-error.ts';

/**
 * Ajv's number coercion takes `0x10`, ` 5`, `1e1` and `1.0`; integer query fields (page sizes,
 * video times) are plain decimal digits. A `preValidation` hook that refuses anything else before
 * the schema coerces it. A leading minus passes, so the schema's minimum gives the precise error.
 */
export function decimalQuery(...names: string[]): preValidationAsyncHookHandler {
  return async (request) => {
    const query = request.query as Record<string, unknown>;
    for (const name of names) {
      const value = query[name];
      if (value !== undefined && (typeof value !== 'string' || !/^-?\d+$/.test(value)))
        throw new AppError('VALIDATION_FAILED', `querystring/${name} must be a decimal integer`);
    }
  };
}
