import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';

/**
 * Keyset position of a series page: the last row's publishedAt (PostgreSQL's own text form, so
 * no precision is lost to a JS Date) and id. Sent to clients as an opaque, signed token so that a
 * garbled or forged cursor is an INVALID_CURSOR, never a value handed to SQL.
 */
export interface SeriesCursor {
  publishedAt: string;
  id: number;
}

const VERSION = 1;
const SIG_LENGTH = 16;
/** PostgreSQL's ISO output of timestamptz, e.g. `2024-05-01 10:00:00.123456+00`. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2}){0,2}|Z)$/;

export interface CursorCodec {
  encode(cursor: SeriesCursor): string;
  decode(token: string): SeriesCursor;
}

/** `secret` is the media secret; a derived key keeps cursors and media tokens apart. */
export function createCursorCodec(secret: string): CursorCodec {
  const key = createHmac('sha256', secret).update('binge/page-cursor').digest();
  const sign = (payload: string) =>
    createHmac('sha256', key).update(payload).digest('base64url').slice(0, SIG_LENGTH);

  return {
    encode({ publishedAt, id }) {
      const payload = Buffer.from(JSON.stringify({ v: VERSION, p: publishedAt, i: id })).toString(
        'base64url',
      );
      return `${payload}.${sign(payload)}`;
    },

    decode(token) {
      const invalid = () => new AppError('INVALID_CURSOR');
      const dot = token.indexOf('.');
      if (dot <= 0 || token.length > 512) throw invalid();
      const payload = token.slice(0, dot);
      const given = Buffer.from(token.slice(dot + 1));
      const expected = Buffer.from(sign(payload));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      const { v, p, i } = (parsed ?? {}) as { v?: unknown; p?: unknown; i?: unknown };
      if (
        v !== VERSION ||
        typeof p !== 'string' ||
        !TIMESTAMP.test(p) ||
        !Number.isInteger(i) ||
        (i as number) < 1 ||
        (i as number) > 2 ** 31 - 1
      )
        throw invalid();
      return { publishedAt: p, id: i as number };
    },
  };
}
