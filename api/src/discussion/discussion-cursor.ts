import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';

/**
 * Keyset positions of the discussion lists as opaque, signed tokens, as the catalog's cursors are
 * (catalog/page-cursor.ts): `<base64url JSON>.<HMAC>`. The signed payload names the list it was
 * issued for (`comments:hot:e12`, `replies:c40`, `reviews:top:s3`), so a cursor of one episode or
 * order handed to another is INVALID_CURSOR rather than a position in the wrong list; a garbled or
 * forged one is too, and never reaches SQL.
 */
export interface ListPosition {
  /** The secondary key of a keyset (likes of a hot comment, rating of a top review); absent on id-only orders. */
  key?: number;
  id: number;
}

export interface DiscussionCursorCodec {
  encode(list: string, position: ListPosition): string;
  /** The position of a cursor issued for `list`; INVALID_CURSOR otherwise. */
  decode(list: string, token: string): ListPosition;
}

const VERSION = 1;
const SIG_LENGTH = 16;
const isCount = (value: unknown) =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 2 ** 31 - 1;
const isBigId = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 1;

/** `secret` is the media secret; a derived key keeps these apart from media and catalog tokens. */
export function createDiscussionCursorCodec(secret: string): DiscussionCursorCodec {
  const key = createHmac('sha256', secret).update('binge/discussion-cursor').digest();
  const sign = (payload: string) =>
    createHmac('sha256', key).update(payload).digest('base64url').slice(0, SIG_LENGTH);

  return {
    encode(list, { key: secondary, id }) {
      const body = {
        v: VERSION,
        l: list,
        ...(secondary === undefined ? {} : { k: secondary }),
        i: id,
      };
      const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },

    decode(list, token) {
      const invalid = () => new AppError('INVALID_CURSOR');
      const dot = token.indexOf('.');
      if (dot <= 0 || token.length > 256) throw invalid();
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
      const { v, l, k, i } = (parsed ?? {}) as Record<string, unknown>;
      if (v !== VERSION || l !== list || !isBigId(i) || (k !== undefined && !isCount(k)))
        throw invalid();
      return k === undefined ? { id: i as number } : { key: k as number, id: i as number };
    },
  };
}
