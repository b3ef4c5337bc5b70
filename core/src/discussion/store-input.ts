/**
 * Argument checks shared by the discussion stores. The API validates first, so a failure here is
 * a programming error (RangeError), and nothing malformed is ever handed to SQL.
 */

/** Users, episodes and series have `serial` ids (int4). */
export const maxSerialId = 2_147_483_647;
/** Comments and reviews have `bigserial` ids, read as JS numbers: safe integers. */
export const maxBigId = Number.MAX_SAFE_INTEGER;
/** The most rows one page may ask for. */
export const maxPageSize = 100;

export function assertId(name: string, value: number, max = maxSerialId): void {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new RangeError(`${name} must be an integer in [1, ${max}], got ${String(value)}`);
}

export function assertLimit(value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > maxPageSize)
    throw new RangeError(`limit must be an integer in [1, ${maxPageSize}], got ${String(value)}`);
}

export function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > maxSerialId)
    throw new RangeError(`${name} must be an integer in [0, ${maxSerialId}], got ${String(value)}`);
}

/** Both drivers answer a raw statement with `{ rows }`; the shared Database type leaves it unknown. */
export async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  return ((await result) as { rows: T[] }).rows;
}

/** int8 arrives as a string (node-postgres) or a number or bigint (PGlite). */
export const toNumber = (value: unknown): number => Number(String(value));

/** timestamptz arrives as a Date from both drivers in raw statements, or as its text form. */
export const toDate = (value: unknown): Date =>
  value instanceof Date ? value : new Date(String(value));
