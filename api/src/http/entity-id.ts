import { AppError } from '../errors/app-error.ts';

const MAX_ID = 2 ** 31 - 1;

/**
 * Ids are PostgreSQL `serial` (int4) values. Parsed strictly so that `1e3`, `0x10`, ` 1` or an
 * id past int4 never reach SQL, where they would fail as a type error instead of a 400.
 */
export function parseEntityId(raw: string, name = 'id'): number {
  if (!/^[1-9][0-9]{0,9}$/.test(raw))
    throw new AppError('INVALID_ID', `${name} must be a positive integer`);
  const id = Number(raw);
  if (id > MAX_ID) throw new AppError('INVALID_ID', `${name} must be at most ${MAX_ID}`);
  return id;
}
