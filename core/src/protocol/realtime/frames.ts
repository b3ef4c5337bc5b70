/**
 * The frames of the realtime protocol: its version, the frame type table and a discriminated
 * union per direction. One WebSocket binary message is one frame, a MessagePack array
 *
 *   [type, rid, payload]
 *
 * - `type`: a small unsigned integer from FrameType; client frames are 1–63, server frames 64–127,
 *   so a frame sent the wrong way is recognised as such;
 * - `rid`: the request id, uint32. Every client frame is a request and carries rid ≥ 1; the server
 *   answers each with exactly one frame carrying the same rid (its reply type, or `error`). Server
 *   frames that answer nothing (publication, batch, unsubscribed by the server, error before
 *   close) carry rid 0;
 * - `payload`: a map with short keys (payloads.ts), `{}` when empty.
 *
 * An array envelope costs 1 byte of framing per frame and keeps type and rid readable without
 * decoding the payload; short map keys keep payloads self-describing and optional fields cheap.
 */
import type {
  AckPayload,
  BatchPayload,
  ErrorPayload,
  FeedPagePayload,
  FeedRequestPayload,
  HelloPayload,
  HistoryPayload,
  HistoryResultPayload,
  OkPayload,
  PingPayload,
  PongPayload,
  PublicationPayload,
  PublishPayload,
  RefreshPayload,
  SubscribedPayload,
  SubscribePayload,
  UnsubscribedPayload,
  UnsubscribePayload,
  WatchAckPayload,
  WatchPayload,
  WelcomePayload,
} from './payloads.ts';

/** Sent in hello; bump on any change a peer of the previous version could not read. */
export const PROTOCOL_VERSION = 1;

export const FrameType = {
  // client → server (requests; rid ≥ 1)
  hello: 1,
  subscribe: 2,
  unsubscribe: 3,
  publish: 4,
  history: 5,
  ack: 6,
  ping: 7,
  refresh: 8,
  feed: 9,
  watch: 10,
  // server → client
  welcome: 64,
  subscribed: 65,
  unsubscribed: 66,
  publication: 67,
  batch: 68,
  historyResult: 69,
  ok: 70,
  error: 71,
  pong: 72,
  feedPage: 73,
  watchAck: 74,
} as const;

export type FrameTypeName = keyof typeof FrameType;

interface FrameOf<T extends number, P> {
  type: T;
  rid: number;
  payload: P;
}

type FT = typeof FrameType;

export type HelloFrame = FrameOf<FT['hello'], HelloPayload>;
export type SubscribeFrame = FrameOf<FT['subscribe'], SubscribePayload>;
export type UnsubscribeFrame = FrameOf<FT['unsubscribe'], UnsubscribePayload>;
export type PublishFrame = FrameOf<FT['publish'], PublishPayload>;
export type HistoryFrame = FrameOf<FT['history'], HistoryPayload>;
export type AckFrame = FrameOf<FT['ack'], AckPayload>;
export type PingFrame = FrameOf<FT['ping'], PingPayload>;
export type RefreshFrame = FrameOf<FT['refresh'], RefreshPayload>;
export type FeedRequestFrame = FrameOf<FT['feed'], FeedRequestPayload>;
export type WatchFrame = FrameOf<FT['watch'], WatchPayload>;

export type ClientFrame =
  | HelloFrame
  | SubscribeFrame
  | UnsubscribeFrame
  | PublishFrame
  | HistoryFrame
  | AckFrame
  | PingFrame
  | RefreshFrame
  | FeedRequestFrame
  | WatchFrame;

export type WelcomeFrame = FrameOf<FT['welcome'], WelcomePayload>;
export type SubscribedFrame = FrameOf<FT['subscribed'], SubscribedPayload>;
export type UnsubscribedFrame = FrameOf<FT['unsubscribed'], UnsubscribedPayload>;
export type PublicationFrame = FrameOf<FT['publication'], PublicationPayload>;
export type BatchFrame = FrameOf<FT['batch'], BatchPayload>;
export type HistoryResultFrame = FrameOf<FT['historyResult'], HistoryResultPayload>;
export type OkFrame = FrameOf<FT['ok'], OkPayload>;
export type ErrorFrame = FrameOf<FT['error'], ErrorPayload>;
export type PongFrame = FrameOf<FT['pong'], PongPayload>;
export type FeedPageFrame = FrameOf<FT['feedPage'], FeedPagePayload>;
export type WatchAckFrame = FrameOf<FT['watchAck'], WatchAckPayload>;

export type ServerFrame =
  | WelcomeFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | PublicationFrame
  | BatchFrame
  | HistoryResultFrame
  | OkFrame
  | ErrorFrame
  | PongFrame
  | FeedPageFrame
  | WatchAckFrame;

export type Frame = ClientFrame | ServerFrame;

const nameByType = new Map<number, FrameTypeName>(
  (Object.keys(FrameType) as FrameTypeName[]).map((name) => [FrameType[name], name]),
);

/** The name of a frame type for logs, or null when the number is not a frame type. */
export function frameTypeName(type: number): FrameTypeName | null {
  return nameByType.get(type) ?? null;
}

export function isClientFrameType(type: number): boolean {
  return nameByType.has(type) && type < 64;
}

export function isServerFrameType(type: number): boolean {
  return nameByType.has(type) && type >= 64;
}
