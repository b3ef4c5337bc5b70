import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { FeedCursorError } from './feed-service.ts';

/**
 * Where a viewer is in a feed session, carried between pages as the signed, opaque `next` cursor.
 * The ranker (feed-ranker/src/serving/feed-ranker.ts) and the hot-order fallback
 * (feed-fallback.ts) read the same cursor, so a page served by either continues the session of
 * the other: the gateway or API can fall back mid-session without a client noticing.
 */
export interface FeedSession {
  /** The viewer the session belongs to; a cursor shown by another viewer is refused. */
  viewerId: number | null;
  /** Random id of the session (base64url, SESSION_CHARS long). */
  session: string;
  /** Pages served before this one in the session (0 for the first page). */
  page: number;
  /** When the session's first page was served, in ms (bounds the impression lookup). */
  startedAt: number;
  /** Entries of the hot order already served (the fallback's position; the ranker keeps 0). */
  offset: number;
}

export interface FeedCursorCodec {
  encode(state: FeedSession): string;
  /** The session of `token`; FeedCursorError when it is garbled, forged or of another viewer. */
  decode(token: string, viewerId: number | null): FeedSession;
  /** A fresh session whose first page is served at `now`. */
  start(viewerId: number | null, now: Date): FeedSession;
}

/** The version byte of the cursor's layout; a cursor of another layout is refused. */
const VERSION = 1;
const SESSION_BYTES = 9;
export const SESSION_CHARS = (SESSION_BYTES * 4) / 3;
const MAC_BYTES = 12;
// version u8 | viewer u32 (0: anonymous) | page u32 | offset u32 | startedAt u48 (ms) | session
const BODY_BYTES = 1 + 4 + 4 + 4 + 6 + SESSION_BYTES;
const TOKEN_BYTES = BODY_BYTES + MAC_BYTES;
const MAX_U32 = 2 ** 32 - 1;
const MAX_U48 = 2 ** 48 - 1;
const SESSION = new RegExp(`^[A-Za-z0-9_-]{${SESSION_CHARS}}$`);

/**
 * The request id of page `page` of a session: the prefix of its impression tokens
 * (`<request id>.<position>`, core/src/protocol/watch-events.ts ImpressionToken), so the pages of a
 * session can be named without an index on anything but the request id.
 */
export function requestIdOf(session: string, page: number): string {
  return `${session}-${page.toString(36)}`;
}

/**
 * The request id of page `page` of a session served by the hot order (feed-fallback.ts): never
 * the ranker's for the same page (sessions have a fixed length, so the separator tells them
 * apart), so when the ranker's answer comes too late and the hot order stands in, the tokens the
 * viewer got cannot be joined to the ranker's impressions of entries they never saw.
 */
export function hotRequestIdOf(session: string, page: number): string {
  return `${session}_${page.toString(36)}`;
}

/** The impression token of position `position` of a page. */
export function impressionOf(requestId: string, position: number): string {
  return `${requestId}.${position}`;
}

/**
 * `authSecret` is the AUTH_SECRET every serving process shares; the HMAC key is derived from it
 * (HKDF, its own label), so cursors and session tokens never share a key.
 */
export function createFeedCursorCodec(authSecret: string): FeedCursorCodec {
  const key = Buffer.from(hkdfSync('sha256', authSecret, 'binge', 'feed-cursor/v1', 32));
  const mac = (body: Buffer) =>
    createHmac('sha256', key).update(body).digest().subarray(0, MAC_BYTES);

  return {
    encode(state) {
      const { viewerId, page, offset, startedAt } = state;
      if (viewerId !== null && (!Number.isInteger(viewerId) || viewerId < 1 || viewerId > MAX_U32))
        throw new RangeError('viewerId must be a positive 32-bit integer or null');
      for (const [name, value, max] of [
        ['page', page, MAX_U32],
        ['offset', offset, MAX_U32],
        ['startedAt', startedAt, MAX_U48],
      ] as const)
        if (!Number.isInteger(value) || value < 0 || value > max)
          throw new RangeError(`${name} is out of range`);
      if (!SESSION.test(state.session)) throw new RangeError('session is not a session id');
      const body = Buffer.alloc(BODY_BYTES);
      body.writeUInt8(VERSION, 0);
      body.writeUInt32BE(viewerId ?? 0, 1);
      body.writeUInt32BE(page, 5);
      body.writeUInt32BE(offset, 9);
      body.writeUIntBE(startedAt, 13, 6);
      Buffer.from(state.session, 'base64url').copy(body, 19);
      return Buffer.concat([body, mac(body)]).toString('base64url');
    },

    decode(token, viewerId) {
      // base64url of TOKEN_BYTES: anything else is not ours, whatever it decodes to.
      if (typeof token !== 'string' || !/^[A-Za-z0-9_-]+$/.test(token)) throw new FeedCursorError();
      const bytes = Buffer.from(token, 'base64url');
      if (bytes.length !== TOKEN_BYTES || bytes.toString('base64url') !== token)
        throw new FeedCursorError();
      const body = bytes.subarray(0, BODY_BYTES);
      if (!timingSafeEqual(bytes.subarray(BODY_BYTES), mac(body))) throw new FeedCursorError();
      if (body.readUInt8(0) !== VERSION) throw new FeedCursorError('a cursor of another version');
      const owner = body.readUInt32BE(1);
      if (owner !== (viewerId ?? 0))
        throw new FeedCursorError('a cursor of another viewer; start again without one');
      return {
        viewerId: owner === 0 ? null : owner,
        page: body.readUInt32BE(5),
        offset: body.readUInt32BE(9),
        startedAt: body.readUIntBE(13, 6),
        session: body.subarray(19).toString('base64url'),
      };
    },

    start(viewerId, now) {
      return {
        viewerId,
        session: randomBytes(SESSION_BYTES).toString('base64url'),
        page: 0,
        startedAt: now.getTime(),
        offset: 0,
      };
    },
  };
}
