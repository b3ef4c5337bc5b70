/**
 * TypeBox schemas of every payload of the realtime protocol, with their limits, and the static
 * types derived from them. Keys are short because they repeat in every danmu and chat publication
 * (see docs/protocol.md for each key's meaning); the HLC stamp keeps the names of core's HLC.
 *
 * Every object is closed (`additionalProperties: false`) in both directions: the version is agreed
 * in hello, and a server speaks to each client in the version it asked for, so an unknown key is
 * always a bug or an attack, never a newer peer.
 */
import { Type, type ObjectOptions, type Static, type TProperties } from '@sinclair/typebox';
import {
  MAX_BATCH_PUBLICATIONS,
  MAX_CHANNEL_LENGTH,
  MAX_FEED_PAGE,
  MAX_HISTORY_PUBLICATIONS,
  MAX_MEDIA_MS,
  MAX_RECOVERY_PUBLICATIONS,
  MAX_TOKEN_LENGTH,
} from './limits.ts';
import { textLimits } from './danmu-text.ts';
import { maxCounter, maxWallMs, nodeIdPattern } from '../crdt/hlc-stamp.ts';
import { ImpressionToken, MAX_WATCH_BATCH, WatchAck } from '../watch-events.ts';

function closed<T extends TProperties>(properties: T, options: ObjectOptions = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

// Scalars --------------------------------------------------------------------------------------

/** A database id: a positive int32, like every id of the HTTP API. */
export const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
/** Milliseconds since the Unix epoch (server clocks). */
export const TimestampMs = Type.Integer({ minimum: 0, maximum: 2 ** 48 - 1 });
/** Video time in milliseconds. */
export const MediaMs = Type.Integer({ minimum: 0, maximum: MAX_MEDIA_MS });
/** A stream offset: gapless, starts at 1 for the first publication of an epoch. */
export const Offset = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
/** A stream epoch: changes when the stream's history is lost (Redis flushed, stream recreated). */
export const Epoch = Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' });
export const ChannelName = Type.String({ minLength: 1, maxLength: MAX_CHANNEL_LENGTH });
/** A client message id: the idempotency key of a send (a UUID, a nanoid). */
export const ClientMessageId = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });
/** A server message id (danmu, chat, DM): opaque to clients. */
export const MessageId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
export const Token = Type.String({
  minLength: 1,
  maxLength: MAX_TOKEN_LENGTH,
  pattern: '^[A-Za-z0-9._~+/=-]+$',
});
export const Colour = Type.String({ pattern: '^#[0-9A-Fa-f]{6}$' });

/** Danmu display mode. */
export const DanmuMode = { scroll: 0, top: 1, bottom: 2 } as const;
/** Danmu font size. */
export const DanmuSize = { small: 0, normal: 1, large: 2 } as const;
/** Receipt kinds, cumulative per conversation up to a message (ack, and the receipt it causes). */
export const ReceiptKind = { delivered: 1, read: 2 } as const;
/** How a subscribe with a recovery position went. */
export const RecoveryOutcome = { fresh: 0, recovered: 1, refetch: 2 } as const;
/** Why the feed changed. */
export const FeedChange = { inserted: 1, refresh: 2 } as const;

const danmuMode = Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]);
const danmuSize = Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]);
const receiptKind = Type.Union([Type.Literal(1), Type.Literal(2)]);

/** The wire shape of an HLC stamp, with the limits the clock itself enforces (../crdt/hlc-stamp.ts). */
export const HlcStamp = closed({
  wallMs: Type.Integer({ minimum: 0, maximum: maxWallMs }),
  counter: Type.Integer({ minimum: 0, maximum: maxCounter }),
  node: Type.String({ pattern: nodeIdPattern.source }),
});

const danmuText = Type.String({ maxLength: textLimits.danmu.maxUnits });
const chatText = Type.String({ maxLength: textLimits.chat.maxUnits });
const dmText = Type.String({ maxLength: textLimits.dm.maxUnits });

// Client → server publish data, by channel kind ----------------------------------------------

export const DanmuSend = closed({
  t: danmuText,
  pos: MediaMs,
  mode: danmuMode,
  col: Colour,
  size: danmuSize,
  cmid: ClientMessageId,
});
export const ChatSend = closed({ t: chatText, cmid: ClientMessageId });
export const DmSend = closed({ t: dmText, cmid: ClientMessageId });
/** One LWW register write: progress of (channel user, eid). Server echoes the winner to devices. */
export const ProgressData = closed({
  eid: Id,
  pos: MediaMs,
  dur: Type.Integer({ minimum: 1, maximum: MAX_MEDIA_MS }),
  hlc: HlcStamp,
});

// Client → server payloads --------------------------------------------------------------------

export const HelloPayload = closed({
  v: Type.Integer({ minimum: 1, maximum: 65_535 }),
  tk: Type.Optional(Token),
  ua: Type.Optional(Type.String({ maxLength: 64, pattern: '^[\\x20-\\x7E]*$' })),
});
export const RecoveryPosition = closed({ ep: Epoch, off: Offset });
export const SubscribePayload = closed({ ch: ChannelName, rc: Type.Optional(RecoveryPosition) });
export const UnsubscribePayload = closed({ ch: ChannelName });
/** `d` is checked against the channel kind's schema by the codec. */
export const PublishPayload = closed({ ch: ChannelName, d: Type.Unknown() });
export const HistoryPayload = closed({
  ch: ChannelName,
  from: MediaMs,
  to: MediaMs,
  lim: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HISTORY_PUBLICATIONS })),
  /** The next page after `more`: `from` = the last entry's `pos`, `after` = its `mid`. */
  after: Type.Optional(MessageId),
});
/**
 * A receipt for DMs in your own inbox (`ch` is your `dm:` channel): you have delivered (1) or read
 * (2) every message of that conversation up to and including `mid` (a message sent to you).
 */
export const AckPayload = closed({ ch: ChannelName, mid: MessageId, k: receiptKind });
export const PingPayload = closed({});
export const RefreshPayload = closed({ tk: Token });
/** An opaque feed cursor from a previous feedPage. */
export const FeedCursor = Type.String({ pattern: '^[A-Za-z0-9_-]{1,256}$' });
/** Asks for the next page of the viewer's feed; without `cur`, the first page. */
export const FeedRequestPayload = closed({
  cur: Type.Optional(FeedCursor),
  lim: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_FEED_PAGE })),
});

/**
 * A batch of watch events (core/src/protocol/watch-events.ts). Each event is checked on its own by
 * the gateway, so the batch schema only bounds its size; the reply is a `watchAck`.
 */
export const WatchPayload = closed({
  ev: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_WATCH_BATCH }),
});

// Server → client publication data, by channel kind -------------------------------------------

export const FeedData = closed({
  k: Type.Union([Type.Literal(1), Type.Literal(2)]),
  ids: Type.Array(Id, { maxItems: 100 }),
});
export const DanmuData = closed({
  mid: MessageId,
  uid: Id,
  t: danmuText,
  pos: MediaMs,
  mode: danmuMode,
  col: Colour,
  size: danmuSize,
  cmid: Type.Optional(ClientMessageId),
});
export const ChatData = closed({
  mid: MessageId,
  uid: Id,
  name: Type.String({ maxLength: 64 }),
  t: chatText,
  ts: TimestampMs,
  cmid: Type.Optional(ClientMessageId),
});
export const DmMessageData = closed({
  k: Type.Literal('msg'),
  mid: MessageId,
  from: Id,
  to: Id,
  t: dmText,
  ts: TimestampMs,
  cmid: Type.Optional(ClientMessageId),
});
/** Cumulative: `by` has delivered or read every message up to and including `mid`. */
export const DmReceiptData = closed({
  k: Type.Literal('rcpt'),
  mid: MessageId,
  by: Id,
  r: receiptKind,
  ts: TimestampMs,
});
export const DmData = Type.Union([DmMessageData, DmReceiptData]);
const counter = Type.Number({ minimum: 0, maximum: 1e12 });
export const LiveData = closed({
  /** viewers now */
  vn: Type.Integer({ minimum: 0, maximum: 1e12 }),
  /** likes per second */
  lps: counter,
  /** danmu per second */
  dps: counter,
  /** average position of current viewers, ms */
  apm: MediaMs,
});
export const NotifyData = closed({
  id: MessageId,
  k: Type.String({ pattern: '^[a-z][a-z0-9_.]{0,31}$' }),
  t: Type.String({ minLength: 1, maxLength: 280 }),
  url: Type.Optional(Type.String({ maxLength: 512, pattern: '^/(?!/)' })),
  ts: TimestampMs,
});

/** A publication inside subscribed/historyResult (channel implied); `off` absent on live. */
export const Pub = closed({ off: Type.Optional(Offset), d: Type.Unknown() });
/** A publication frame, or one entry of a batch. */
export const PublicationPayload = closed({
  ch: ChannelName,
  off: Type.Optional(Offset),
  d: Type.Unknown(),
});

// Server → client payloads --------------------------------------------------------------------

const code = Type.Integer({ minimum: 100, maximum: 999 });

export const WelcomePayload = closed({
  v: Type.Integer({ minimum: 1, maximum: 65_535 }),
  /** connection id, for support and logs */
  cid: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
  uid: Type.Union([Id, Type.Null()]),
  /** token expiry (ms since epoch); 0 when anonymous */
  exp: TimestampMs,
  /** ping interval: send a ping at least this often (ms) */
  pi: Type.Integer({ minimum: 1000, maximum: 600_000 }),
  /** max client frame bytes */
  mf: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024 }),
  /** server time (ms since epoch), to estimate clock skew for HLC */
  ts: TimestampMs,
});
export const SubscribedPayload = closed({
  ch: ChannelName,
  /** current epoch and offset of the stream (absent on live channels) */
  ep: Type.Optional(Epoch),
  off: Type.Optional(Offset),
  rc: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
  pubs: Type.Optional(Type.Array(Pub, { maxItems: MAX_RECOVERY_PUBLICATIONS })),
});
export const UnsubscribedPayload = closed({ ch: ChannelName, c: Type.Optional(code) });
export const BatchPayload = closed({
  pubs: Type.Array(PublicationPayload, { minItems: 1, maxItems: MAX_BATCH_PUBLICATIONS }),
});
export const HistoryResultPayload = closed({
  ch: ChannelName,
  pubs: Type.Array(Pub, { maxItems: MAX_HISTORY_PUBLICATIONS }),
  /** more danmu in the window than `lim`: ask again from the last position */
  more: Type.Boolean(),
});
export const OkPayload = closed({
  /** publish: the offset the publication got */
  off: Type.Optional(Offset),
  /** publish: the server message id */
  mid: Type.Optional(MessageId),
  /** publish: this cmid was already accepted; off and mid are the original ones */
  dup: Type.Optional(Type.Boolean()),
  /** refresh: new token expiry */
  exp: Type.Optional(TimestampMs),
  /**
   * progress: this write lost to a newer stamp already stored (from another device); nothing was
   * stored or published, and the winner is (or was) published on the channel.
   */
  stale: Type.Optional(Type.Boolean()),
});
export const ErrorPayload = closed({
  c: code,
  m: Type.String({ maxLength: 256 }),
  ch: Type.Optional(ChannelName),
});
export const PongPayload = closed({ ts: TimestampMs });
/**
 * One feed entry: an episode and its series (details come from the HTTP catalog), and the
 * impression token that watch events started from this entry echo as `imp`.
 */
export const FeedItem = closed({ eid: Id, sid: Id, imp: Type.Optional(ImpressionToken) });
export const FeedPagePayload = closed({
  items: Type.Array(FeedItem, { maxItems: MAX_FEED_PAGE }),
  /** the cursor of the next page; absent at the end of the feed */
  next: Type.Optional(FeedCursor),
});

/** The answer to a `watch` frame: accepted count and each refused event with its code. */
export const WatchAckPayload = WatchAck;

export type HlcStamp = Static<typeof HlcStamp>;
export type DanmuSend = Static<typeof DanmuSend>;
export type ChatSend = Static<typeof ChatSend>;
export type DmSend = Static<typeof DmSend>;
export type ProgressData = Static<typeof ProgressData>;
export type PublishData = DanmuSend | ChatSend | DmSend | ProgressData;
export type FeedData = Static<typeof FeedData>;
export type DanmuData = Static<typeof DanmuData>;
export type ChatData = Static<typeof ChatData>;
export type DmMessageData = Static<typeof DmMessageData>;
export type DmReceiptData = Static<typeof DmReceiptData>;
export type DmData = DmMessageData | DmReceiptData;
export type LiveData = Static<typeof LiveData>;
export type NotifyData = Static<typeof NotifyData>;
export type PublicationData =
  FeedData | DanmuData | ChatData | DmData | ProgressData | LiveData | NotifyData;

export type HelloPayload = Static<typeof HelloPayload>;
export type RecoveryPosition = Static<typeof RecoveryPosition>;
export type SubscribePayload = Static<typeof SubscribePayload>;
export type UnsubscribePayload = Static<typeof UnsubscribePayload>;
export type PublishPayload = { ch: string; d: PublishData };
export type HistoryPayload = Static<typeof HistoryPayload>;
export type AckPayload = Static<typeof AckPayload>;
export type PingPayload = Static<typeof PingPayload>;
export type RefreshPayload = Static<typeof RefreshPayload>;
export type FeedRequestPayload = Static<typeof FeedRequestPayload>;
export type FeedItem = Static<typeof FeedItem>;
export type FeedPagePayload = Static<typeof FeedPagePayload>;
export type WatchPayload = Static<typeof WatchPayload>;
export type WatchAckPayload = Static<typeof WatchAckPayload>;

export type Pub = { off?: number; d: PublicationData };
export type PublicationPayload = { ch: string; off?: number; d: PublicationData };
export type WelcomePayload = Static<typeof WelcomePayload>;
export type SubscribedPayload = Omit<Static<typeof SubscribedPayload>, 'pubs'> & { pubs?: Pub[] };
export type UnsubscribedPayload = Static<typeof UnsubscribedPayload>;
export type BatchPayload = { pubs: PublicationPayload[] };
export type HistoryResultPayload = { ch: string; pubs: Pub[]; more: boolean };
export type OkPayload = Static<typeof OkPayload>;
export type ErrorPayload = Static<typeof ErrorPayload>;
export type PongPayload = Static<typeof PongPayload>;
