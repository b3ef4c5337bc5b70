import { Type } from '@fastify/type-provider-typebox';
import { AppError } from '../errors/app-error.ts';

/**
 * Comment and review ids are bigserial, sent as decimal strings (core/src/protocol/discussion.ts).
 * They are read as JS numbers, so the bound is the largest safe integer, not int4's; parsed
 * strictly so that `1e3`, `0x10` or ` 1` never reach SQL.
 */
export const BigIdString = Type.String({
  pattern: '^[1-9][0-9]{0,15}$',
  description: 'Positive integer up to 9007199254740991, in decimal',
});

export function parseBigId(raw: string, name = 'id'): number {
  const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id))
    throw new AppError('INVALID_ID', `${name} must be a positive integer up to 9007199254740991`);
  return id;
}
