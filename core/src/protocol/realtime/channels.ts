/**
 * Channel names of the realtime protocol, parsed into typed channels, and who may subscribe or
 * publish. Pure: the gateway calls these on every subscribe and publish; clients use formatChannel.
 *
 * Grammar (ids are positive 32-bit integers in canonical decimal, as everywhere in the API):
 *
 *   feed | danmu:<episodeId> | chat:<roomId> | dm:<userId> | progress:<userId>
 *        | live:<episodeId> | live:creator:<creatorId> | notify:<userId>
 */
import type { ErrorCodeName } from './codes.ts';
import { MAX_CHANNEL_LENGTH } from './limits.ts';

export type Channel =
  /** Hints that the ranked feed changed; the pages themselves come from the HTTP API. */
  | { kind: 'feed' }
  /** Danmu of one episode: an append-only log ordered by offset, replayable by video time. */
  | { kind: 'danmu'; episodeId: number }
  /** Fan chat of one room (one room per series today). */
  | { kind: 'chat'; roomId: number }
  /** The DM inbox of one user: messages to and from them, and receipts for what they sent. */
  | { kind: 'dm'; userId: number }
  /** Watch progress of one user across their devices (LWW per episode). */
  | { kind: 'progress'; userId: number }
  /** Engagement counters of one episode, about once a second; ephemeral (no offsets). */
  | { kind: 'live'; episodeId: number }
  /** Engagement counters across one creator's episodes, for their studio; ephemeral. */
  | { kind: 'liveCreator'; creatorId: number }
  /** Notifications for one user; server to client only. */
  | { kind: 'notify'; userId: number };

export type ChannelKind = Channel['kind'];

export type ParsedChannel = { ok: true; channel: Channel } | { ok: false; code: 'UNKNOWN_CHANNEL' };

/** A positive int32 in canonical decimal: no sign, no leading zero, no exponent. */
const idPattern = /^[1-9][0-9]{0,9}$/;
const maxId = 2_147_483_647;

function parseId(text: string): number | null {
  if (!idPattern.test(text)) return null;
  const id = Number(text);
  return id <= maxId ? id : null;
}

const unknown: ParsedChannel = { ok: false, code: 'UNKNOWN_CHANNEL' };

export function parseChannel(name: unknown): ParsedChannel {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_CHANNEL_LENGTH) {
    return unknown;
  }
  if (name === 'feed') return { ok: true, channel: { kind: 'feed' } };
  if (name.startsWith('live:creator:')) {
    const creatorId = parseId(name.slice('live:creator:'.length));
    return creatorId === null ? unknown : { ok: true, channel: { kind: 'liveCreator', creatorId } };
  }
  const colon = name.indexOf(':');
  if (colon < 0) return unknown;
  const id = parseId(name.slice(colon + 1));
  if (id === null) return unknown;
  switch (name.slice(0, colon)) {
    case 'danmu':
      return { ok: true, channel: { kind: 'danmu', episodeId: id } };
    case 'chat':
      return { ok: true, channel: { kind: 'chat', roomId: id } };
    case 'dm':
      return { ok: true, channel: { kind: 'dm', userId: id } };
    case 'progress':
      return { ok: true, channel: { kind: 'progress', userId: id } };
    case 'live':
      return { ok: true, channel: { kind: 'live', episodeId: id } };
    case 'notify':
      return { ok: true, channel: { kind: 'notify', userId: id } };
    default:
      return unknown;
  }
}

export function formatChannel(channel: Channel): string {
  switch (channel.kind) {
    case 'feed':
      return 'feed';
    case 'danmu':
      return `danmu:${channel.episodeId}`;
    case 'chat':
      return `chat:${channel.roomId}`;
    case 'dm':
      return `dm:${channel.userId}`;
    case 'progress':
      return `progress:${channel.userId}`;
    case 'live':
      return `live:${channel.episodeId}`;
    case 'liveCreator':
      return `live:creator:${channel.creatorId}`;
    case 'notify':
      return `notify:${channel.userId}`;
  }
}

/** Whether a channel keeps a gapless offset log (recoverable); live counters are ephemeral. */
export function hasHistory(kind: ChannelKind): boolean {
  return kind !== 'live' && kind !== 'liveCreator';
}

/** Who is asking: the user id from a verified token, or null for an anonymous viewer. */
export interface Viewer {
  userId: number | null;
  /** The role of the users table; admins may watch any creator's live counters. */
  role?: 'viewer' | 'creator' | 'admin';
}

export type Permission = { ok: true } | { ok: false; code: ErrorCodeName };

const allowed: Permission = { ok: true };
const signInFirst: Permission = { ok: false, code: 'UNAUTHORIZED' };
const denied: Permission = { ok: false, code: 'PERMISSION_DENIED' };

/**
 * Anonymous viewers read feed, danmu and episode live counters. Signed-in viewers also read chat.
 * Private channels (dm, progress, notify) belong to their user alone, staff included: an admin
 * reads them through audited API routes, never by subscribing. A creator's studio counters belong
 * to that creator (and admins). Existence (NOT_FOUND) and blocks are the gateway's to check.
 */
export function canSubscribe(channel: Channel, viewer: Viewer): Permission {
  switch (channel.kind) {
    case 'feed':
    case 'danmu':
    case 'live':
      return allowed;
    case 'chat':
      return viewer.userId === null ? signInFirst : allowed;
    case 'dm':
    case 'progress':
    case 'notify':
      if (viewer.userId === null) return signInFirst;
      return viewer.userId === channel.userId ? allowed : denied;
    case 'liveCreator':
      if (viewer.userId === null) return signInFirst;
      return viewer.userId === channel.creatorId || viewer.role === 'admin' ? allowed : denied;
  }
}

/**
 * Signed-in viewers send danmu and chat, DM another user by publishing to that user's `dm:`
 * channel (never to themselves), and write only their own progress. Feed, live and notify carry
 * server publications only (the codec already refuses client publications there).
 */
export function canPublish(channel: Channel, viewer: Viewer): Permission {
  if (viewer.userId === null) return signInFirst;
  switch (channel.kind) {
    case 'danmu':
    case 'chat':
      return allowed;
    case 'dm':
      return viewer.userId === channel.userId ? denied : allowed;
    case 'progress':
      return viewer.userId === channel.userId ? allowed : denied;
    case 'feed':
    case 'live':
    case 'liveCreator':
    case 'notify':
      return denied;
  }
}
