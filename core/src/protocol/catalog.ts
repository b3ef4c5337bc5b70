/**
 * Wire types of the catalog HTTP API (`/api/v1`). Browser-safe: no Node imports. The API's route
 * schemas are written to produce exactly these shapes; the web client reads them.
 */
import type { HlcStamp } from './crdt/hlc-stamp.ts';

export interface LocalizedText {
  en: string;
  zh: string;
}

export interface Category {
  id: number;
  slug: string;
  name: LocalizedText;
  /** Published series in this category. */
  seriesCount: number;
}

export interface Tag {
  slug: string;
  name: LocalizedText;
}

export interface SeriesSummary {
  id: number;
  slug: string;
  title: LocalizedText;
  synopsis: LocalizedText;
  category: { id: number; slug: string; name: LocalizedText };
  tags: Tag[];
  /** Signed URL of the poster (first episode's poster), or null while none is ready. */
  posterUrl: string | null;
  episodeCount: number;
  /** Episodes whose media is ready to play. */
  readyEpisodeCount: number;
  freeEpisodes: number;
  views: number;
  likes: number;
  publishedAt: string | null;
}

export interface EpisodeSummary {
  id: number;
  number: number;
  title: LocalizedText;
  durationMs: number;
  isFree: boolean;
  priceCoins: number;
  status: 'pending' | 'processing' | 'ready' | 'failed';
  posterUrl: string | null;
}

export interface SeriesDetail extends SeriesSummary {
  episodes: EpisodeSummary[];
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null at the end. */
  nextCursor: string | null;
}

export interface List<T> {
  items: T[];
}

export interface PlaybackInfo {
  episodeId: number;
  seriesId: number;
  number: number;
  title: LocalizedText;
  durationMs: number;
  /** Signed URL of the HLS master playlist. */
  masterUrl: string;
  posterUrl: string | null;
  /** Scrub preview: a sprite sheet and its WebVTT index (cues with `#xywh=` fragments). */
  sprite: { imageUrl: string; vttUrl: string } | null;
  /** Skip markers in milliseconds of video time. */
  intro: { startMs: number; endMs: number } | null;
  outro: { startMs: number } | null;
  next: { episodeId: number; number: number; isFree: boolean } | null;
  encrypted: boolean;
  /** When the signed URLs stop working (ISO 8601); fetch playback info again after it. */
  expiresAt: string;
}

/** RFC 9457 problem details, as every API error is sent (`application/problem+json`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** Stable machine-readable code from the error registry, e.g. `EPISODE_NOT_FOUND`. */
  code: string;
  instance?: string;
}

/*
 * Accounts and the realtime state over HTTP. A client signs in (as a guest, `POST /auth/guest`, or
 * with a phone or WeChat/Weibo, protocol/accounts.ts), sends the access token as its bearer and
 * to the gateway, renews it with the refresh token (`POST /auth/refresh`) and, when the gateway
 * answers a subscribe with "refetch", reloads the state from the reads below.
 */

export type UserRole = 'viewer' | 'creator' | 'admin';

export interface User {
  id: number;
  /** Unique, lower-case; a guest's is `guest_` and 10 base32 characters. */
  handle: string;
  displayName: string;
  role: UserRole;
}

/**
 * A signed-in session (one device), as every sign-in and every refresh answers it. Send the access
 * token as `Authorization: Bearer <accessToken>` (and to the gateway); before it expires, trade
 * the refresh token for a new pair at `POST /auth/refresh`. Each refresh token works once: keep
 * only the newest, and refresh one request at a time per device, since presenting a used one
 * signs the whole session out.
 */
export interface AuthSession {
  user: User;
  /** A JWT, valid until accessTokenExpiresAt (15 minutes by default). */
  accessToken: string;
  /** ISO 8601. */
  accessTokenExpiresAt: string;
  /** Opaque; valid until refreshTokenExpiresAt (30 days, renewed by each refresh) or one use. */
  refreshToken: string;
  /** ISO 8601. */
  refreshTokenExpiresAt: string;
  /** This device's session id, as `GET /me/sessions` lists it. */
  sessionId: string;
}

/** A new guest account's session: the same shape as every sign-in's. */
export type GuestSession = AuthSession;

/** A token for the realtime gateway: `hello.tk` and `refresh.tk` in the wire protocol. */
export interface RealtimeToken {
  token: string;
  /** ISO 8601; get a fresh token and send `refresh` before then. */
  expiresAt: string;
  /** The gateway's WebSocket URL, `/ws` (same origin) unless the deployment names another. */
  url: string;
}

/** Watch progress of one episode: the LWW winner, as the `progress:` channel publishes it. */
export interface WatchProgress {
  episodeId: number;
  positionMs: number;
  durationMs: number;
  /** The writing device's stamp; a queued offline write merges against it (crdt/lww-register). */
  hlc: HlcStamp;
}

export interface ChatMessage {
  /** Server message id, the same `mid` as on the `chat:` channel. */
  mid: string;
  roomId: number;
  userId: number;
  /** The sender's display name when it was sent. */
  name: string;
  text: string;
  /** The sender's client message id; present on the caller's own messages only. */
  cmid?: string;
  createdAt: string;
}

/** A user the caller blocked (GET /api/v1/me/blocks). */
export interface BlockedUser {
  userId: number;
  blockedAt: string;
}

export interface DirectMessage {
  mid: string;
  from: number;
  to: number;
  text: string;
  /** Present on messages the caller sent, so a client can settle its pending sends. */
  cmid?: string;
  createdAt: string;
}

export interface Danmu {
  mid: string;
  episodeId: number;
  userId: number;
  text: string;
  /** Video time in milliseconds. */
  posMs: number;
  /** 0 scroll, 1 top, 2 bottom. */
  mode: 0 | 1 | 2;
  /** `#rrggbb`. */
  colour: string;
  /** 0 small, 1 normal, 2 large. */
  size: 0 | 1 | 2;
  /** Present on the caller's own danmu only. */
  cmid?: string;
  createdAt: string;
}

/** Danmu with `from <= posMs <= to`, in (posMs, mid) order. */
export interface DanmuWindow {
  items: Danmu[];
  /**
   * The window holds more than `limit`: ask again from the last item's `posMs` (items at that
   * position come again; drop them by `mid`).
   */
  more: boolean;
}
