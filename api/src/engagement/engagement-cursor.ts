import type { EngagementCursor } from '@binge/core/engagement';
import { decodeStamp, encodeStamp } from '@binge/core/protocol/crdt/hlc-stamp';
import { AppError } from '../errors/app-error.ts';

/**
 * The keyset position of an engagement list (the last item's stamp and id) as an opaque token:
 * base64url of `<encoded stamp>~<id>`. Unsigned, unlike the catalog's cursors: it only positions a
 * read of a list the caller may read whole anyway, so a forged one reveals nothing. Anything that
 * does not decode to a valid stamp and id is INVALID_CURSOR, never a value handed to SQL.
 */
export function encodeEngagementCursor(cursor: EngagementCursor): string {
  return Buffer.from(`${encodeStamp(cursor.hlc)}~${cursor.id}`).toString('base64url');
}

export function decodeEngagementCursor(token: string): EngagementCursor {
  const invalid = () => new AppError('INVALID_CURSOR');
  if (token.length > 128 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^([0-9A-Za-z_-]+)~([1-9][0-9]{0,9})$/.exec(text);
  if (match === null) throw invalid();
  const id = Number(match[2]);
  if (id > 2 ** 31 - 1) throw invalid();
  try {
    return { hlc: decodeStamp(match[1]!), id };
  } catch {
    throw invalid();
  }
}
