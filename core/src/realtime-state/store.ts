/**
 * The gateway's durable state in PostgreSQL (PGlite embedded): danmu, chat, DMs with receipts and
 * blocks, and watch progress as an LWW register. The channel history (offsets, recovery) is a
 * separate port (../recovery); this one is the record of truth a client reloads on refetch and
 * that history-by-video-time reads.
 *
 * Every write is idempotent by the client message id: the same (user, cmid) returns the original
 * row with `duplicate: true` and stores nothing new. Message ids (`mid`) are the rows' bigserial
 * ids in decimal.
 *
 * Implementation: store-sql.ts (Drizzle over core's database handle); tests in
 * store.test.ts run against PGlite and the real PostgreSQL.
 */
import type { HlcStamp } from '@binge/core/protocol/realtime/payloads';

export interface DanmuRecord {
  mid: string;
  episodeId: number;
  userId: number;
  text: string;
  posMs: number;
  mode: 0 | 1 | 2;
  colour: string;
  size: 0 | 1 | 2;
  cmid: string;
  createdAtMs: number;
}

export type NewDanmu = Omit<DanmuRecord, 'mid' | 'createdAtMs'>;

export interface ChatRecord {
  mid: string;
  roomId: number;
  userId: number;
  /** The sender's display name (as it is now: names live on the users row). */
  name: string;
  text: string;
  cmid: string;
  createdAtMs: number;
}

export type NewChat = Omit<ChatRecord, 'mid' | 'createdAtMs' | 'name'>;

export interface DmRecord {
  mid: string;
  from: number;
  to: number;
  text: string;
  cmid: string;
  createdAtMs: number;
}

export type NewDm = Omit<DmRecord, 'mid' | 'createdAtMs'>;

export interface ProgressRecord {
  userId: number;
  episodeId: number;
  posMs: number;
  durMs: number;
  hlc: HlcStamp;
}

export type Stored<T> = { record: T; duplicate: boolean };

export interface BlockRecord {
  userId: number;
  blockedAtMs: number;
}

export type ReceiptOutcome =
  /** The receipt moved forward: publish it to the sender. */
  | { kind: 'advanced'; peerId: number; mid: string }
  /** Already at or past this message: nothing to publish. */
  | { kind: 'unchanged'; peerId: number }
  /** No such message addressed to the reader. */
  | { kind: 'notFound' };

export interface RealtimeStore {
  episodeExists(episodeId: number): Promise<boolean>;
  /** A chat room exists when its series exists and is published. */
  roomExists(roomId: number): Promise<boolean>;
  userExists(userId: number): Promise<boolean>;
  displayName(userId: number): Promise<string | null>;

  /**
   * Stores a danmu (idempotent by userId + cmid) and records it for the sender's experience and
   * achievements (core/src/progression). Rejects when the episode does not exist.
   */
  addDanmu(danmu: NewDanmu): Promise<Stored<DanmuRecord>>;
  /**
   * Danmu of an episode with `fromMs <= posMs <= toMs`, ordered by (posMs, mid), at most `limit`;
   * `more` when the window holds more. `afterMid` continues a page: with `fromMs` set to the last
   * entry's position, entries at that position up to and including `afterMid` are skipped.
   * Danmu a moderator hid (`hidden_at`) are left out.
   */
  danmuWindow(
    episodeId: number,
    fromMs: number,
    toMs: number,
    limit: number,
    afterMid?: string,
  ): Promise<{ records: DanmuRecord[]; more: boolean }>;

  /** 'muted' when the sender is muted in the room (an active chat_mutes row). */
  addChat(chat: NewChat): Promise<Stored<ChatRecord> | 'muted'>;
  /** The newest `limit` messages of a room, oldest first (for a refetch); hidden ones left out. */
  recentChat(roomId: number, limit: number): Promise<ChatRecord[]>;

  /**
   * Stores a DM unless the recipient blocked the sender ('blocked') or the recipient does not exist
   * ('notFound'). The block check and the insert are one transaction. A retry of an accepted cmid
   * returns the original even if a block came later.
   */
  addDm(dm: NewDm): Promise<Stored<DmRecord> | 'blocked' | 'notFound'>;
  /** Records that `readerId` delivered or read every message of the conversation up to `mid`. */
  receipt(readerId: number, mid: string, kind: 'delivered' | 'read'): Promise<ReceiptOutcome>;
  /** The newest `limit` DMs to or from `userId`, oldest first (for a refetch). */
  recentDms(userId: number, limit: number): Promise<DmRecord[]>;
  block(blockerId: number, blockedId: number): Promise<void>;
  unblock(blockerId: number, blockedId: number): Promise<void>;
  isBlocked(blockerId: number, blockedId: number): Promise<boolean>;
  /** The users `blockerId` blocked, most recent first, at most `limit`. */
  blockedUsers(blockerId: number, limit: number): Promise<BlockRecord[]>;

  /**
   * LWW write of (userId, episodeId): stores `write` only when its stamp is higher than the stored
   * one in (wallMs, counter, node) order, atomically against concurrent writers. Returns the winner
   * after the write and whether this write is it. Rejects when the episode does not exist. An
   * applied write also credits the watch time it proves (core/src/progression/watch-time.ts).
   */
  writeProgress(write: ProgressRecord): Promise<{ winner: ProgressRecord; applied: boolean }>;
  /** Every progress record of a user, most recently updated first, at most `limit`. */
  progressOf(userId: number, limit: number): Promise<ProgressRecord[]>;

  /**
   * A page of the feed until the ranker (issue 5) fills it: published series in hot-list order
   * (core's hot score, the same as the API's /lists/hot), one entry per series: its first ready
   * episode, or for a signed-in viewer with progress in the series the episode to continue (the
   * last one touched if unfinished, else the next). `offset` counts entries already served.
   */
  feedPage(
    viewerId: number | null,
    offset: number,
    limit: number,
    now: Date,
  ): Promise<{ entries: FeedEntry[]; more: boolean }>;
}

export interface FeedEntry {
  episodeId: number;
  seriesId: number;
}

/** Rejected by a store when a referenced episode, room or user does not exist. */
export class StoreNotFoundError extends Error {
  override readonly name = 'StoreNotFoundError';
  readonly code = 'NOT_FOUND';
}
