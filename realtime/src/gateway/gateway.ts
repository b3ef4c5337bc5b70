import { randomBytes } from 'node:crypto';
import uWS, {
  type HttpRequest,
  type HttpResponse,
  type TemplatedApp,
  type WebSocket,
} from 'uWebSockets.js';
import { decode, encode } from '@msgpack/msgpack';
import { FeedCursorError, type FeedPage, type FeedService } from '@binge/core/feed/feed-service';
import type { Logger } from '@binge/core/log';
import type { WatchIngester } from '@binge/core/watch-events/ingest';
import { StoreNotFoundError, type RealtimeStore } from '@binge/core/realtime-state';
import { createHlc, HlcDriftError } from '@binge/core/protocol/crdt/hlc';
import {
  canPublish,
  canSubscribe,
  formatChannel,
  hasHistory,
  type Channel,
} from '@binge/core/protocol/realtime/channels';
import { decodeClientFrame, encodeFrame } from '@binge/core/protocol/realtime/codec';
import {
  closeCodeFor,
  closeCodes,
  errorCodes,
  type CloseCodeName,
  type ErrorCodeName,
} from '@binge/core/protocol/realtime/codes';
import {
  FrameType,
  PROTOCOL_VERSION,
  type ClientFrame,
  type ServerFrame,
} from '@binge/core/protocol/realtime/frames';
import {
  MAX_CLIENT_FRAME_BYTES,
  MAX_RECOVERY_PUBLICATIONS,
  MAX_SERVER_FRAME_BYTES,
} from '@binge/core/protocol/realtime/limits';
import type {
  AckPayload,
  ChatData,
  DanmuData,
  DanmuSend,
  DmMessageData,
  DmReceiptData,
  FeedRequestPayload,
  HistoryPayload,
  LiveData,
  OkPayload,
  ProgressData,
  Pub,
  PublicationData,
  PublicationPayload,
  PublishPayload,
  SubscribePayload,
  WatchPayload,
} from '@binge/core/protocol/realtime/payloads';
import type { GatewayAuth, GatewayAuthResult } from '../auth/session-auth.ts';
import type { Broker } from '../broker/broker.ts';
import type { LiveCounters } from '../live/live-counters.ts';
import { emptyTally, secondOf, tallyEvent, type LiveTally } from '../live/live-window.ts';
import { gatewayRateRules, type RateLimiter, type RateRule } from '../limits/rate-limiter.ts';
import { take as takeToken } from '../limits/token-bucket.ts';
import { newConnection, type Connection, type ConnectionRef } from './connection.ts';
import { ExistenceCache } from './existence-cache.ts';
import { Fanout } from './fanout.ts';
import { ChannelRelay } from './relay.ts';
import { allowAll, type TextFilter } from '@binge/core/moderation/text-filter';

/**
 * The realtime gateway: uWebSockets.js speaking the protocol of docs/protocol.md. It composes the
 * codec (core), the broker (cross-node fan-out and history), the store (durable state), the rate
 * limiters and the live counters; everything it knows of a client is a Connection.
 */
export interface GatewayDeps {
  broker: Broker;
  store: RealtimeStore;
  /** User and IP buckets: the Redis limiter when scaled, so reconnecting elsewhere does not help. */
  limiter: RateLimiter;
  liveCounters: LiveCounters;
  /**
   * Checks the token of a hello or a refresh: signature, expiry, and the session and account
   * behind it now (auth/session-auth.ts), so a signed-out session or a banned account is refused
   * though its token has not expired.
   */
  auth: GatewayAuth;
  logger: Logger;
  /** This node's id (HLC node, live-counter node): `[A-Za-z0-9_-]{1,32}`. */
  nodeId: string;
  textFilter?: TextFilter;
  /** The episodes of a creator, for `live:creator:<id>`. */
  creatorEpisodes: (creatorId: number) => Promise<number[]>;
  /**
   * Takes the events of `watch` frames (core/src/watch-events/ingest.ts): checks each, appends the
   * good ones to the event stream, answers the watchAck. Without it `watch` is NOT_AVAILABLE.
   */
  watchIngester?: WatchIngester;
  /** Pages of the `feed` frame: the ranker in process, its HTTP client, or the hot order. */
  feed: FeedService;
  now?: () => number;
}

export interface GatewayOptions {
  /** Ping interval announced in welcome; a client silent for two is closed (4004). */
  pingIntervalMs?: number;
  /** Fan-out tick of reliable channels: how long publications wait to be batched. */
  tickMs?: number;
  /** Fan-out tick of danmu and live counters (fanout.ts says why it is longer). */
  lossyTickMs?: number;
  /** uWS maxBackpressure: past it, lossy publications skip the socket and reliable ones close it. */
  maxBackpressure?: number;
  maxSubscriptions?: number;
  /** Errors with a `repeated` policy tolerated before the close. */
  strikeLimit?: number;
  /** Time a client has to send hello after the upgrade. */
  helloTimeoutMs?: number;
  /**
   * Trust X-Forwarded-For from loopback and private-network peers (the embedded forwarder, the
   * edge proxy of docker-compose), as the API does; a public peer's header is ignored.
   */
  trustPrivateProxies?: boolean;
  maxDanmuPerTick?: number;
  /** How often live counters are flushed and pushed. */
  liveIntervalMs?: number;
}

export interface GatewayStats {
  connections: number;
  frames: number;
  deliveries: number;
  thinned: number;
  slowClosed: number;
  relays: number;
}

export interface Gateway {
  readonly nodeId: string;
  /** Listens on host:port (port 0 = any free one); resolves with the port. */
  listen(host: string, port: number): Promise<number>;
  stats(): GatewayStats;
  /**
   * Closes every connection of a user on this node with `code` (a moderator's ban: BANNED, which
   * clients do not reconnect after); answers how many were closed.
   */
  disconnectUser(userId: number, code: CloseCodeName): number;
  /**
   * Stops accepting, closes every connection with SERVER_RESTART (4000: clients reconnect with
   * jitter, elsewhere when scaled) and releases relays and timers. Adapters are the caller's.
   */
  close(): Promise<void>;
}

const defaults = {
  pingIntervalMs: 25_000,
  tickMs: 20,
  lossyTickMs: 50,
  maxBackpressure: 1024 * 1024,
  maxSubscriptions: 200,
  strikeLimit: 10,
  helloTimeoutMs: 10_000,
  trustPrivateProxies: true,
  maxDanmuPerTick: 40,
  liveIntervalMs: 1000,
};

/** Channel kinds whose fan-out may thin (docs/protocol.md "Batching and backpressure"). */
function isLossy(channel: Channel): boolean {
  return channel.kind === 'danmu' || channel.kind === 'live' || channel.kind === 'liveCreator';
}

const DEFAULT_HISTORY_PAGE = 500;
/** Half the broker's idempotency window (DEFAULT_IDEMPOTENCY_TTL_SECONDS, 10 min). */
const REPUBLISH_WINDOW_MS = 5 * 60 * 1000;
const DEFAULT_FEED_PAGE = 20;
const PAYLOAD_SLACK = 4;

class RequestError extends Error {
  constructor(
    readonly code: ErrorCodeName,
    message: string,
  ) {
    super(message);
  }
}

function textOf(buffer: ArrayBuffer): string {
  return Buffer.from(buffer).toString('utf8');
}

/** Loopback, RFC 1918, link-local and unique-local addresses: where a trusted proxy can sit. */
export function isPrivateAddress(ip: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(ip);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 127 ||
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  const lower = ip.toLowerCase();
  return lower === '::1' || /^f[cd][0-9a-f]{2}:/.test(lower) || /^fe[89ab][0-9a-f]:/.test(lower);
}

/** uWS gives IPv4 peers as `0000:…:ffff:7f00:0001`-style text; shorten to the usual forms. */
function normaliseIp(raw: string): string {
  const mapped = /^(?:0{1,4}:){5}ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(raw);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  if (raw.startsWith('::ffff:')) return raw.slice(7);
  return raw;
}

export function createGateway(deps: GatewayDeps, gatewayOptions: GatewayOptions = {}): Gateway {
  const options = { ...defaults, ...gatewayOptions };
  const { broker, store, limiter, liveCounters, logger, nodeId } = deps;
  const now = deps.now ?? Date.now;
  const textFilter = deps.textFilter ?? allowAll;
  const hlc = createHlc({ node: nodeId, now });
  const existence = new ExistenceCache(now);
  const app: TemplatedApp = uWS.App();
  const connections = new Set<Connection>();
  /** Local subscribers of each reliable channel. */
  const reliableSubscribers = new Map<string, Set<Connection>>();
  /** Local subscriber counts of each history channel, and its relay. */
  const relays = new Map<string, { relay: ChannelRelay; count: number }>();
  /** Live channels with local subscribers → local subscriber count. */
  const liveChannels = new Map<string, number>();
  /** Local viewers per episode (connections watching danmu or live of it). */
  const viewers = new Map<number, number>();
  let framesIn = 0;
  let listenSocket: uWS.us_listen_socket | null = null;
  let closing = false;

  const fanout = new Fanout(
    app,
    {
      tickMs: options.tickMs,
      lossyTickMs: options.lossyTickMs,
      maxDanmuPerTick: options.maxDanmuPerTick,
      // Half: the close frame (4001) must still fit under maxBackpressure, or uWS drops it and
      // the client sees a bare 1006 instead of the documented code.
      reliableBufferLimit: options.maxBackpressure / 2,
      // A frame never takes more than a quarter of a socket's buffer, so a reliable frame fits
      // under the close threshold (half) whenever the connection is keeping up.
      maxFrameBytes: Math.min(MAX_SERVER_FRAME_BYTES / 2, options.maxBackpressure / 4),
    },
    (connection) => closeWith(connection, 'SLOW_CONSUMER'),
  );

  // Sending ------------------------------------------------------------------------------------

  /** Sends one frame; a reply that cannot be buffered closes the connection as a slow consumer. */
  function send(connection: Connection, frame: ServerFrame): void {
    const ws = connection.ws;
    if (connection.closed || ws === null) return;
    let result = 1;
    ws.cork(() => {
      result = ws.send(encodeFrame(frame), true, false);
    });
    if (result === 2) closeWith(connection, 'SLOW_CONSUMER');
  }

  function closeWith(connection: Connection, name: CloseCodeName, reason?: string): void {
    const ws = connection.ws;
    if (connection.closed || ws === null) return;
    connection.closed = true;
    try {
      ws.end(closeCodes[name].code, reason ?? name);
    } catch (error) {
      logger.debug({ err: error, cid: connection.id }, 'end on a closing socket');
    }
  }

  /** Sends an error frame and applies the code's close policy. */
  function fail(
    connection: Connection,
    rid: number,
    code: ErrorCodeName,
    message: string,
    ch?: string,
  ) {
    send(connection, {
      type: FrameType.error,
      rid,
      payload:
        ch === undefined
          ? { c: errorCodes[code].code, m: message.slice(0, 256) }
          : { c: errorCodes[code].code, m: message.slice(0, 256), ch },
    });
    const policy = errorCodes[code].closes;
    const close = closeCodeFor(code);
    if (close === null || policy === 'never') return;
    if (policy === 'repeated') {
      connection.strikes += 1;
      if (connection.strikes < options.strikeLimit) return;
    }
    closeWith(connection, errorCodes[code].close!, code);
  }

  // Viewers and live tallies ---------------------------------------------------------------------

  /**
   * This node's tallies per episode for the second `tallySecond`, cumulative: a flush replaces the
   * node's entry for that second (live-counters.ts), so it must carry the whole second so far.
   * Seconds that ended before the next push wait in `finishedSeconds`.
   */
  let tallySecond = secondOf(now());
  let tallies = new Map<number, LiveTally>();
  let finishedSeconds: { second: number; tallies: Map<number, LiveTally> }[] = [];

  function rollSecond(): void {
    const current = secondOf(now());
    if (current === tallySecond) return;
    if (tallies.size > 0) finishedSeconds.push({ second: tallySecond, tallies });
    tallies = new Map();
    tallySecond = current;
  }

  function tally(episodeId: number, event: Parameters<typeof tallyEvent>[1]): void {
    rollSecond();
    tallies.set(episodeId, tallyEvent(tallies.get(episodeId) ?? emptyTally(), event));
  }

  function watch(connection: Connection, episodeId: number): void {
    if (connection.watching.has(episodeId)) return;
    connection.watching.add(episodeId);
    viewers.set(episodeId, (viewers.get(episodeId) ?? 0) + 1);
  }

  function unwatch(connection: Connection, episodeId: number): void {
    if (!connection.watching.delete(episodeId)) return;
    const left = (viewers.get(episodeId) ?? 1) - 1;
    if (left <= 0) viewers.delete(episodeId);
    else viewers.set(episodeId, left);
  }

  function episodeWatched(connection: Connection, episodeId: number): boolean {
    return connection.subs.has(`danmu:${episodeId}`) || connection.subs.has(`live:${episodeId}`);
  }

  // Relays and delivery ----------------------------------------------------------------------------

  function decodeData(data: Uint8Array): PublicationData | null {
    try {
      return decode(data) as PublicationData;
    } catch (error) {
      logger.error({ err: error }, 'undecodable publication in the history');
      return null;
    }
  }

  const relayEvents = {
    deliver(channel: string, offset: number, data: Uint8Array) {
      const d = decodeData(data);
      if (d === null) return;
      const pub: PublicationPayload = { ch: channel, off: offset, d };
      if (channel.startsWith('danmu:')) {
        fanout.lossy(channel, pub, true);
      } else {
        const subscribers = reliableSubscribers.get(channel);
        if (subscribers !== undefined && subscribers.size > 0) {
          fanout.reliable(subscribers, pub, data.byteLength);
        }
      }
    },
    lost(channel: string) {
      // Every local subscriber resubscribes with its own position and recovers or refetches.
      for (const connection of [...connections]) {
        if (connection.closed || !connection.subs.has(channel)) continue;
        dropSubscription(connection, channel);
        send(connection, {
          type: FrameType.unsubscribed,
          rid: 0,
          payload: { ch: channel, c: errorCodes.STATE_LOST.code },
        });
      }
    },
  };

  broker.onLoss(() => {
    for (const { relay } of relays.values()) relay.check();
  });

  function acquireRelay(channel: string): ChannelRelay {
    let entry = relays.get(channel);
    if (entry === undefined) {
      entry = { relay: new ChannelRelay(channel, broker, relayEvents, logger), count: 0 };
      relays.set(channel, entry);
      const created = entry.relay;
      created.ready.catch((error: unknown) => {
        logger.warn({ err: error, channel }, 'following a channel failed');
        // Forget it, so the next subscribe follows afresh once the broker answers again.
        if (relays.get(channel)?.relay === created) relays.delete(channel);
        created.close().catch(() => undefined);
      });
    }
    entry.count += 1;
    return entry.relay;
  }

  function releaseRelay(channel: string, relay?: ChannelRelay): void {
    const entry = relays.get(channel);
    if (entry === undefined || (relay !== undefined && entry.relay !== relay)) return;
    entry.count -= 1;
    if (entry.count > 0) return;
    relays.delete(channel);
    entry.relay.close().catch((error: unknown) => {
      logger.warn({ err: error, channel }, 'unfollowing a channel failed');
    });
  }

  /** Removes a subscription from every local structure (not from the client's view). */
  function dropSubscription(connection: Connection, name: string): void {
    if (!connection.subs.delete(name)) return;
    const ws = connection.ws;
    if (!connection.closed && ws !== null) ws.unsubscribe(name);
    const set = reliableSubscribers.get(name);
    if (set !== undefined) {
      set.delete(connection);
      if (set.size === 0) reliableSubscribers.delete(name);
    }
    if (name.startsWith('live:')) {
      const left = (liveChannels.get(name) ?? 1) - 1;
      if (left <= 0) liveChannels.delete(name);
      else liveChannels.set(name, left);
    } else {
      releaseRelay(name);
    }
    const episode = /^(?:danmu|live):(\d+)$/.exec(name);
    if (episode) {
      const id = Number(episode[1]);
      if (!episodeWatched(connection, id)) unwatch(connection, id);
    }
  }

  // Existence and limits -----------------------------------------------------------------------------

  async function mustExist(channel: Channel): Promise<void> {
    let exists = true;
    switch (channel.kind) {
      case 'danmu':
      case 'live':
        exists = await existence.exists(`e${channel.episodeId}`, () =>
          store.episodeExists(channel.episodeId),
        );
        break;
      case 'chat':
        exists = await existence.exists(`r${channel.roomId}`, () =>
          store.roomExists(channel.roomId),
        );
        break;
      case 'dm':
        exists = await existence.exists(`u${channel.userId}`, () =>
          store.userExists(channel.userId),
        );
        break;
      case 'liveCreator':
        exists = await existence.exists(`u${channel.creatorId}`, () =>
          store.userExists(channel.creatorId),
        );
        break;
      default:
        break;
    }
    if (!exists) throw new RequestError('NOT_FOUND', `${formatChannel(channel)} does not exist`);
  }

  async function rateLimit(rules: RateRule[], keys: string[]): Promise<void> {
    for (let i = 0; i < rules.length; i += 1) {
      const decision = await limiter.take(keys[i]!, rules[i]!);
      if (!decision.allowed) {
        throw new RequestError('RATE_LIMITED', `slow down: retry in ${decision.retryAfterMs} ms`);
      }
    }
  }

  // Frame handlers ------------------------------------------------------------------------------------

  function handleHello(connection: Connection, frame: Extract<ClientFrame, { type: 1 }>): void {
    if (connection.helloDone) {
      fail(connection, frame.rid, 'HELLO_REQUIRED', 'hello was already sent');
      return;
    }
    connection.helloDone = true;
    const token = frame.payload.tk ?? connection.upgradeToken;
    const welcome = () =>
      send(connection, {
        type: FrameType.welcome,
        rid: frame.rid,
        payload: {
          v: PROTOCOL_VERSION,
          cid: connection.id,
          uid: connection.userId,
          exp: connection.exp,
          pi: options.pingIntervalMs,
          mf: MAX_CLIENT_FRAME_BYTES,
          ts: now(),
        },
      });
    if (token === null || token === undefined) {
      welcome();
      return;
    }
    admit(connection, frame.rid, token, welcome);
  }

  /** The refusal of a token check as an error frame (each code closes as codes.ts says). */
  function refuse(connection: Connection, rid: number, result: GatewayAuthResult & { ok: false }) {
    const code: ErrorCodeName =
      result.reason === 'expired'
        ? 'TOKEN_EXPIRED'
        : result.reason === 'banned'
          ? 'ACCOUNT_BANNED'
          : 'TOKEN_INVALID';
    fail(connection, rid, code, result.message);
  }

  /**
   * Welcomes a signed-in connection once its token, session and account are checked. A token is
   * signed for minutes while a sign-out or a ban takes effect at once, so the rows decide, not the
   * token. Frames that arrive meanwhile wait for the outcome (onFrame).
   */
  function admit(connection: Connection, rid: number, token: string, welcome: () => void): void {
    connection.admission = deps.auth.authenticate(token, now()).then(
      (result) => {
        connection.admission = null;
        if (connection.closed) return;
        if (!result.ok) {
          refuse(connection, rid, result);
          return;
        }
        connection.userId = result.userId;
        connection.role = result.role;
        connection.exp = result.expiresAtMs;
        welcome();
      },
      (error: unknown) => {
        connection.admission = null;
        if (connection.closed) return;
        logger.error({ err: error, cid: connection.id }, 'token check failed');
        fail(connection, rid, 'INTERNAL', 'internal error; reconnect later');
        closeWith(connection, 'TRY_AGAIN');
      },
    );
  }

  /** A fresh token for the same user; the session and account are checked again now. */
  async function handleRefresh(connection: Connection, rid: number, tk: string): Promise<void> {
    const result = await deps.auth.authenticate(tk, now());
    if (connection.closed) return;
    if (!result.ok) {
      refuse(connection, rid, result);
      return;
    }
    if (result.userId !== connection.userId) {
      // A connection never changes user: a different user reconnects with its own token.
      fail(connection, rid, 'TOKEN_INVALID', 'token of another user');
      return;
    }
    connection.exp = result.expiresAtMs;
    connection.role = result.role;
    send(connection, { type: FrameType.ok, rid, payload: { exp: connection.exp } });
  }

  async function handleSubscribe(
    connection: Connection,
    rid: number,
    payload: SubscribePayload,
    channel: Channel,
  ): Promise<void> {
    const name = payload.ch;
    const permission = canSubscribe(channel, { userId: connection.userId, role: connection.role });
    if (!permission.ok) throw new RequestError(permission.code, `may not subscribe to ${name}`);
    if (connection.subs.has(name) || connection.pending.has(name)) {
      throw new RequestError('ALREADY_SUBSCRIBED', name);
    }
    if (connection.subs.size + connection.pending.size >= options.maxSubscriptions) {
      throw new RequestError('LIMIT_EXCEEDED', `at most ${options.maxSubscriptions} subscriptions`);
    }
    const bucket = takeToken(connection.subscribes, gatewayRateRules.subscribePerConnection, now());
    connection.subscribes = bucket.state;
    if (!bucket.allowed) throw new RequestError('RATE_LIMITED', 'too many subscribes');
    // Reserve the name so a second subscribe racing this one is refused; `subs` holds only
    // attached subscriptions, which the close handler releases.
    connection.pending.add(name);
    try {
      await subscribeReserved(connection, rid, payload, channel);
    } finally {
      connection.pending.delete(name);
    }
  }

  async function subscribeReserved(
    connection: Connection,
    rid: number,
    payload: SubscribePayload,
    channel: Channel,
  ): Promise<void> {
    const name = payload.ch;
    await mustExist(channel);
    if (connection.closed) return;

    if (!hasHistory(channel.kind)) {
      connection.subs.add(name);
      connection.ws!.subscribe(name);
      liveChannels.set(name, (liveChannels.get(name) ?? 0) + 1);
      if (channel.kind === 'live') watch(connection, channel.episodeId);
      send(connection, { type: FrameType.subscribed, rid, payload: { ch: name, rc: 0 } });
      return;
    }

    const relay = acquireRelay(name);
    let attached = false;
    try {
      await relay.ready;
      let recovered: Pub[] | undefined;
      let outcome: 0 | 1 | 2 = 0;
      if (payload.rc !== undefined) {
        const result = await broker.history.since(
          name,
          { epoch: payload.rc.ep, offset: payload.rc.off },
          MAX_RECOVERY_PUBLICATIONS,
        );
        outcome = result.kind === 'recovered' ? 1 : 2;
        if (result.kind === 'recovered') {
          recovered = [];
          for (const publication of result.publications) {
            const d = decodeData(publication.data);
            if (d !== null) recovered.push({ off: publication.offset, d });
          }
          await relay.settled();
          // Publications the relay delivered after the history read, from its ring.
          const top = recovered.length > 0 ? recovered[recovered.length - 1]!.off! : result.offset;
          const more = relay.since(result.epoch, top);
          if (more === null || relay.position.epoch !== result.epoch) {
            outcome = 2;
            recovered = undefined;
          } else {
            for (const publication of more) {
              const d = decodeData(publication.data);
              if (d !== null) recovered.push({ off: publication.offset, d });
            }
            if (recovered.length > MAX_RECOVERY_PUBLICATIONS) {
              outcome = 2;
              recovered = undefined;
            }
          }
        }
      }
      await relay.settled();
      if (connection.closed) return;
      // From here to the send nothing awaits: the position handed out is the relay's, and the
      // next delivery to this connection continues from it.
      const position = relay.position;
      connection.subs.add(name);
      if (isLossy(channel)) connection.ws!.subscribe(name);
      else {
        let set = reliableSubscribers.get(name);
        if (set === undefined) reliableSubscribers.set(name, (set = new Set()));
        set.add(connection);
      }
      attached = true;
      if (channel.kind === 'danmu') watch(connection, channel.episodeId);
      send(connection, {
        type: FrameType.subscribed,
        rid,
        payload: {
          ch: name,
          ep: position.epoch,
          off: position.offset,
          rc: outcome,
          ...(recovered === undefined || outcome !== 1 ? {} : { pubs: recovered }),
        },
      });
    } finally {
      if (!attached) releaseRelay(name, relay);
    }
  }

  function handleUnsubscribe(connection: Connection, rid: number, name: string): void {
    if (!connection.subs.has(name)) throw new RequestError('NOT_SUBSCRIBED', name);
    dropSubscription(connection, name);
    send(connection, { type: FrameType.unsubscribed, rid, payload: { ch: name } });
  }

  async function filtered(
    text: string,
    kind: 'danmu' | 'chat' | 'dm',
    userId: number,
  ): Promise<string> {
    const verdict = await textFilter(text, { kind, userId });
    if (!verdict.ok) throw new RequestError('TEXT_REJECTED', `text rejected: ${verdict.reason}`);
    return verdict.text;
  }

  async function handlePublish(
    connection: Connection,
    rid: number,
    payload: PublishPayload,
    channel: Channel,
  ): Promise<OkPayload> {
    const permission = canPublish(channel, { userId: connection.userId, role: connection.role });
    if (!permission.ok) throw new RequestError(permission.code, `may not publish on ${payload.ch}`);
    const userId = connection.userId!;
    const user = String(userId);
    await mustExist(channel);
    switch (channel.kind) {
      case 'danmu': {
        await rateLimit(
          [gatewayRateRules.danmuPerUser, gatewayRateRules.danmuPerIp],
          [user, connection.ip],
        );
        const sent = payload.d as DanmuSend;
        const text = await filtered(sent.t, 'danmu', userId);
        const { record, duplicate } = await store.addDanmu({
          episodeId: channel.episodeId,
          userId,
          text,
          posMs: sent.pos,
          mode: sent.mode,
          colour: sent.col,
          size: sent.size,
          cmid: sent.cmid,
        });
        const data: DanmuData = {
          mid: record.mid,
          uid: userId,
          t: record.text,
          pos: record.posMs,
          mode: record.mode,
          col: record.colour,
          size: record.size,
          cmid: record.cmid,
        };
        const published = await publishStored(
          payload.ch,
          encode(data),
          `${userId}:${sent.cmid}`,
          duplicate,
          record.createdAtMs,
        );
        if (!published.duplicate) tally(channel.episodeId, { type: 'danmu' });
        return okOf(published, record.mid);
      }
      case 'chat': {
        await rateLimit([gatewayRateRules.chatPerUser], [user]);
        const sent = payload.d as { t: string; cmid: string };
        const text = await filtered(sent.t, 'chat', userId);
        const stored = await store.addChat({
          roomId: channel.roomId,
          userId,
          text,
          cmid: sent.cmid,
        });
        if (stored === 'muted') throw new RequestError('BLOCKED', 'you are muted in this room');
        const { record, duplicate } = stored;
        const data: ChatData = {
          mid: record.mid,
          uid: userId,
          name: record.name.slice(0, 64),
          t: record.text,
          ts: record.createdAtMs,
          cmid: record.cmid,
        };
        const published = await publishStored(
          payload.ch,
          encode(data),
          `${userId}:${sent.cmid}`,
          duplicate,
          record.createdAtMs,
        );
        return okOf(published, record.mid);
      }
      case 'dm': {
        await rateLimit([gatewayRateRules.dmPerUser], [user]);
        const sent = payload.d as { t: string; cmid: string };
        const text = await filtered(sent.t, 'dm', userId);
        const stored = await store.addDm({
          from: userId,
          to: channel.userId,
          text,
          cmid: sent.cmid,
        });
        if (stored === 'blocked')
          throw new RequestError('BLOCKED', 'the recipient does not accept your messages');
        if (stored === 'notFound') throw new RequestError('NOT_FOUND', 'no such user');
        const { record, duplicate } = stored;
        const data: DmMessageData = {
          k: 'msg',
          mid: record.mid,
          from: record.from,
          to: record.to,
          t: record.text,
          ts: record.createdAtMs,
          cmid: record.cmid,
        };
        const bytes = encode(data);
        // The recipient's inbox, then the sender's (their other devices); `off` is the sender's.
        const key = `${userId}:${sent.cmid}`;
        await publishStored(payload.ch, bytes, key, duplicate, record.createdAtMs);
        const own = await publishStored(
          `dm:${userId}`,
          bytes,
          `${key}:own`,
          duplicate,
          record.createdAtMs,
        );
        return okOf(own, record.mid);
      }
      case 'progress': {
        await rateLimit([gatewayRateRules.progressPerUser], [user]);
        const sent = payload.d as ProgressData;
        try {
          hlc.receive(sent.hlc);
        } catch (error) {
          if (error instanceof HlcDriftError) {
            throw new RequestError(
              'INVALID_PAYLOAD',
              'd/hlc: the stamp is too far ahead of the server clock',
            );
          }
          throw error;
        }
        const { winner, applied } = await store.writeProgress({
          userId,
          episodeId: sent.eid,
          posMs: sent.pos,
          durMs: sent.dur,
          hlc: sent.hlc,
        });
        tally(sent.eid, { type: 'position', positionMs: sent.pos });
        if (!applied) return { stale: true };
        const data: ProgressData = {
          eid: winner.episodeId,
          pos: winner.posMs,
          dur: winner.durMs,
          hlc: winner.hlc,
        };
        const stamp = `${winner.hlc.wallMs}.${winner.hlc.counter}.${winner.hlc.node}`;
        const appended = await broker.publish(payload.ch, encode(data), {
          idempotencyKey: `${userId}:${winner.episodeId}:${stamp}`,
        });
        return { off: appended.offset, ...(appended.duplicate ? { dup: true } : {}) };
      }
      default:
        throw new RequestError('NOT_AVAILABLE', `publish is not available on ${channel.kind}`);
    }
  }

  /**
   * Publishes what the store just accepted, or re-publishes a retry (`duplicate`) so that a crash
   * between storing and publishing is healed by the client's retry: the broker's idempotency key
   * makes that a no-op when the first publish went through. The broker remembers keys for 10
   * minutes; a retry of something stored longer ago than half that is answered from storage
   * (`dup`, no offset) and never broadcast a second time.
   */
  async function publishStored(
    channel: string,
    bytes: Uint8Array,
    idempotencyKey: string,
    duplicate: boolean,
    createdAtMs: number,
  ): Promise<{ offset?: number; duplicate: boolean }> {
    if (duplicate && now() - createdAtMs > REPUBLISH_WINDOW_MS) return { duplicate: true };
    const appended = await broker.publish(channel, bytes, { idempotencyKey });
    return { offset: appended.offset, duplicate: duplicate || appended.duplicate };
  }

  function okOf(published: { offset?: number; duplicate: boolean }, mid: string): OkPayload {
    return {
      ...(published.offset === undefined ? {} : { off: published.offset }),
      mid,
      ...(published.duplicate ? { dup: true } : {}),
    };
  }

  async function handleHistory(
    connection: Connection,
    rid: number,
    payload: HistoryPayload,
    channel: Channel,
  ) {
    if (channel.kind !== 'danmu') throw new RequestError('NOT_AVAILABLE', 'history is danmu only');
    await mustExist(channel);
    const { records, more } = await store.danmuWindow(
      channel.episodeId,
      payload.from,
      payload.to,
      payload.lim ?? DEFAULT_HISTORY_PAGE,
      payload.after,
    );
    const pubs: Pub[] = records.map((r) => ({
      d: {
        mid: r.mid,
        uid: r.userId,
        t: r.text,
        pos: r.posMs,
        mode: r.mode,
        col: r.colour,
        size: r.size,
      },
    }));
    send(connection, {
      type: FrameType.historyResult,
      rid,
      payload: { ch: payload.ch, pubs, more },
    });
  }

  async function handleAck(
    connection: Connection,
    rid: number,
    payload: AckPayload,
    channel: Channel,
  ) {
    if (channel.kind !== 'dm') throw new RequestError('NOT_AVAILABLE', 'ack is dm only');
    if (connection.userId === null) throw new RequestError('UNAUTHORIZED', 'sign in first');
    if (channel.userId !== connection.userId) {
      throw new RequestError('PERMISSION_DENIED', 'acknowledge in your own inbox');
    }
    if (!connection.subs.has(payload.ch)) throw new RequestError('NOT_SUBSCRIBED', payload.ch);
    const kind = payload.k === 2 ? 'read' : 'delivered';
    const outcome = await store.receipt(connection.userId, payload.mid, kind);
    if (outcome.kind === 'notFound') throw new RequestError('NOT_FOUND', 'no such message to you');
    if (outcome.kind === 'advanced') {
      const data: DmReceiptData = {
        k: 'rcpt',
        mid: outcome.mid,
        by: connection.userId,
        r: payload.k,
        ts: now(),
      };
      const bytes = encode(data);
      const key = `r:${connection.userId}:${outcome.mid}:${payload.k}`;
      await broker.publish(`dm:${outcome.peerId}`, bytes, { idempotencyKey: key });
      await broker.publish(`dm:${connection.userId}`, bytes, { idempotencyKey: `${key}:own` });
    }
    send(connection, { type: FrameType.ok, rid, payload: {} });
  }

  async function handleFeed(connection: Connection, rid: number, payload: FeedRequestPayload) {
    let page: FeedPage;
    try {
      page = await deps.feed.page({
        viewerId: connection.userId,
        ...(payload.cur === undefined ? {} : { cursor: payload.cur }),
        limit: payload.lim ?? DEFAULT_FEED_PAGE,
        now: new Date(now()),
        surface: 'ws',
      });
    } catch (error) {
      if (error instanceof FeedCursorError)
        throw new RequestError('INVALID_PAYLOAD', `cur: ${error.message}`);
      throw error;
    }
    // The feed is endless: every page has a next.
    send(connection, {
      type: FrameType.feedPage,
      rid,
      payload: {
        items: page.entries.map((e) => ({ eid: e.episodeId, sid: e.seriesId, imp: e.impression })),
        next: page.next,
      },
    });
  }

  /**
   * A batch of watch events of the signed-in viewer. The ingester judges each event on its own and
   * never fails for a backend that does not answer (those events come back TRY_AGAIN), so the
   * reply is always a watchAck with the frame's rid.
   */
  async function handleWatch(connection: Connection, rid: number, payload: WatchPayload) {
    if (connection.userId === null)
      throw new RequestError('UNAUTHORIZED', 'sign in to send watch events');
    if (deps.watchIngester === undefined)
      throw new RequestError('NOT_AVAILABLE', 'this gateway does not take watch events');
    const ack = await deps.watchIngester.ingest(connection.userId, payload.ev, 'ws');
    send(connection, { type: FrameType.watchAck, rid, payload: ack });
  }

  /**
   * Runs an async handler; its failures become error frames, never crashes or stray sends. A
   * subscribe that failed on the backends (Redis or PostgreSQL unreachable) closes the connection
   * with TRY_AGAIN instead: the client reconnects with backoff and resubscribes everything with its
   * positions, where an error frame would leave that one channel dead in the app.
   */
  function run(
    connection: Connection,
    rid: number,
    ch: string | undefined,
    work: () => Promise<void>,
    backendFailureCloses = false,
  ) {
    work().catch((error: unknown) => {
      if (connection.closed) return;
      if (error instanceof RequestError) {
        fail(connection, rid, error.code, error.message, ch);
        return;
      }
      if (error instanceof StoreNotFoundError) {
        fail(connection, rid, 'NOT_FOUND', error.message, ch);
        return;
      }
      logger.error({ err: error, cid: connection.id, ch }, 'request failed');
      fail(connection, rid, 'INTERNAL', 'internal error; retry later', ch);
      if (backendFailureCloses) closeWith(connection, 'TRY_AGAIN');
    });
  }

  function onFrame(connection: Connection, message: ArrayBuffer, isBinary: boolean): void {
    if (connection.admission !== null) {
      // uWS reuses the buffer after this callback returns: keep a copy for the deferred frame.
      const copy = message.slice(0);
      void connection.admission.then(() => {
        if (connection.closed) return;
        try {
          onFrame(connection, copy, isBinary);
        } catch (error) {
          logger.error({ err: error, cid: connection.id }, 'frame handler failed');
          fail(connection, 0, 'INTERNAL', 'internal error');
        }
      });
      return;
    }
    connection.lastSeen = now();
    framesIn += 1;
    const bucket = takeToken(
      connection.frames,
      gatewayRateRules.framesPerConnection,
      connection.lastSeen,
    );
    connection.frames = bucket.state;
    if (!bucket.allowed) {
      fail(connection, 0, 'RATE_LIMITED', 'too many frames');
      return;
    }
    if (!isBinary) {
      fail(connection, 0, 'BAD_FRAME', 'a frame is a binary message');
      return;
    }
    // The ArrayBuffer is only valid during this callback: decoding copies what it keeps.
    const decoded = decodeClientFrame(new Uint8Array(message));
    if (!decoded.ok) {
      fail(connection, decoded.rid ?? 0, decoded.code, decoded.message);
      return;
    }
    const { frame, channel } = decoded;
    if (!connection.helloDone && frame.type !== FrameType.hello) {
      fail(connection, frame.rid, 'HELLO_REQUIRED', 'the first frame must be hello');
      return;
    }
    switch (frame.type) {
      case FrameType.hello:
        handleHello(connection, frame);
        return;
      case FrameType.ping:
        send(connection, { type: FrameType.pong, rid: frame.rid, payload: { ts: now() } });
        return;
      case FrameType.refresh:
        run(connection, frame.rid, undefined, () =>
          handleRefresh(connection, frame.rid, frame.payload.tk),
        );
        return;
      case FrameType.feed:
        run(connection, frame.rid, undefined, () =>
          handleFeed(connection, frame.rid, frame.payload),
        );
        return;
      case FrameType.watch:
        run(connection, frame.rid, undefined, () =>
          handleWatch(connection, frame.rid, frame.payload),
        );
        return;
      case FrameType.subscribe:
        run(
          connection,
          frame.rid,
          frame.payload.ch,
          () => handleSubscribe(connection, frame.rid, frame.payload, channel!),
          true,
        );
        return;
      case FrameType.unsubscribe:
        try {
          handleUnsubscribe(connection, frame.rid, frame.payload.ch);
        } catch (error) {
          if (error instanceof RequestError)
            fail(connection, frame.rid, error.code, error.message, frame.payload.ch);
          else throw error;
        }
        return;
      case FrameType.publish:
        run(connection, frame.rid, frame.payload.ch, async () => {
          const ok = await handlePublish(connection, frame.rid, frame.payload, channel!);
          send(connection, { type: FrameType.ok, rid: frame.rid, payload: ok });
        });
        return;
      case FrameType.history:
        run(connection, frame.rid, frame.payload.ch, () =>
          handleHistory(connection, frame.rid, frame.payload, channel!),
        );
        return;
      case FrameType.ack:
        run(connection, frame.rid, frame.payload.ch, () =>
          handleAck(connection, frame.rid, frame.payload, channel!),
        );
        return;
    }
  }

  // Sweeps: idle, hello timeout, token expiry; live counters ---------------------------------------------

  const sweep = setInterval(() => {
    const at = now();
    for (const connection of connections) {
      if (connection.closed) continue;
      if (!connection.helloDone) {
        if (at - connection.openedAt > options.helloTimeoutMs) {
          fail(connection, 0, 'HELLO_REQUIRED', 'no hello in time');
        }
        continue;
      }
      if (at - connection.lastSeen > 2 * options.pingIntervalMs) {
        closeWith(connection, 'IDLE_TIMEOUT');
        continue;
      }
      if (connection.exp !== 0 && connection.exp <= at) {
        fail(connection, 0, 'TOKEN_EXPIRED', 'the token expired; refresh it before exp');
      }
    }
  }, 1000);
  sweep.unref();

  async function flushTallies(
    second: Map<number, LiveTally>,
    episodes: Iterable<number>,
    at: number,
  ) {
    await Promise.all(
      [...episodes].map((episodeId) =>
        liveCounters
          .flush(
            nodeId,
            episodeId,
            { ...(second.get(episodeId) ?? emptyTally()), viewers: viewers.get(episodeId) ?? 0 },
            at,
          )
          .catch((error: unknown) => logger.warn({ err: error, episodeId }, 'live flush failed')),
      ),
    );
  }

  async function pushLive(): Promise<void> {
    rollSecond();
    const finished = finishedSeconds;
    finishedSeconds = [];
    for (const { second, tallies: ended } of finished) {
      await flushTallies(ended, ended.keys(), second * 1000 + 999);
    }
    const at = now();
    await flushTallies(tallies, new Set([...tallies.keys(), ...viewers.keys()]), at);
    for (const name of liveChannels.keys()) {
      if (closing) return;
      let data: LiveData | null = null;
      try {
        const creator = /^live:creator:(\d+)$/.exec(name);
        if (creator) {
          const ids = await deps.creatorEpisodes(Number(creator[1]));
          const snapshots = await Promise.all(ids.map((id) => liveCounters.read(id, at)));
          let vn = 0;
          let lps = 0;
          let dps = 0;
          let weighted = 0;
          for (const s of snapshots) {
            vn += s.viewersNow;
            lps += s.likesPerSecond;
            dps += s.danmuPerSecond;
            if (s.averagePositionMs !== null)
              weighted += s.averagePositionMs * Math.max(1, s.viewersNow);
          }
          const weight = snapshots.reduce(
            (sum, s) => sum + (s.averagePositionMs === null ? 0 : Math.max(1, s.viewersNow)),
            0,
          );
          data = { vn, lps, dps, apm: weight === 0 ? 0 : Math.round(weighted / weight) };
        } else {
          const episodeId = Number(name.slice('live:'.length));
          const s = await liveCounters.read(episodeId, at);
          data = {
            vn: s.viewersNow,
            lps: s.likesPerSecond,
            dps: s.danmuPerSecond,
            apm: s.averagePositionMs ?? 0,
          };
        }
      } catch (error) {
        logger.warn({ err: error, channel: name }, 'live read failed');
      }
      if (data !== null && liveChannels.has(name)) fanout.lossy(name, { ch: name, d: data }, false);
    }
  }

  let livePushing = false;
  const liveTimer = setInterval(() => {
    if (livePushing || closing) return;
    livePushing = true;
    pushLive()
      .catch((error: unknown) => logger.warn({ err: error }, 'live push failed'))
      .finally(() => {
        livePushing = false;
      });
  }, options.liveIntervalMs);
  liveTimer.unref();

  // uWS wiring ------------------------------------------------------------------------------------------

  app.ws<ConnectionRef>('/ws', {
    compression: uWS.DISABLED,
    // Above the protocol's limit so an oversized frame gets FRAME_TOO_LARGE and a documented close
    // (4501); beyond this uWS itself closes with 1009.
    maxPayloadLength: MAX_CLIENT_FRAME_BYTES * PAYLOAD_SLACK,
    maxBackpressure: options.maxBackpressure,
    closeOnBackpressureLimit: 0,
    idleTimeout: Math.ceil((2 * options.pingIntervalMs) / 1000) + 30,
    sendPingsAutomatically: false,
    upgrade(res: HttpResponse, req: HttpRequest, context) {
      if (closing) {
        res.writeStatus('503 Service Unavailable').end('shutting down');
        return;
      }
      const peer = normaliseIp(textOf(res.getRemoteAddressAsText()));
      const forwarded = req.getHeader('x-forwarded-for');
      const ip =
        options.trustPrivateProxies && isPrivateAddress(peer) && forwarded !== ''
          ? forwarded.split(',')[0]!.trim().slice(0, 64) || peer
          : peer;
      const token = req.getQuery('token');
      const connection = newConnection(
        randomBytes(12).toString('base64url'),
        ip,
        token === undefined || token === '' ? null : token.slice(0, 4096),
        now(),
      );
      res.upgrade<ConnectionRef>(
        { connection },
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open(ws: WebSocket<ConnectionRef>) {
      const { connection } = ws.getUserData();
      connection.ws = ws;
      connections.add(connection);
    },
    message(ws: WebSocket<ConnectionRef>, message: ArrayBuffer, isBinary: boolean) {
      const { connection } = ws.getUserData();
      if (connection.closed) return;
      if (message.byteLength > MAX_CLIENT_FRAME_BYTES) {
        fail(
          connection,
          0,
          'FRAME_TOO_LARGE',
          `frame of ${message.byteLength} bytes exceeds ${MAX_CLIENT_FRAME_BYTES}`,
        );
        return;
      }
      try {
        onFrame(connection, message, isBinary);
      } catch (error) {
        logger.error({ err: error, cid: connection.id }, 'frame handler failed');
        fail(connection, 0, 'INTERNAL', 'internal error');
      }
    },
    close(ws: WebSocket<ConnectionRef>) {
      const { connection } = ws.getUserData();
      connection.closed = true;
      connection.ws = null;
      connections.delete(connection);
      for (const name of [...connection.subs]) dropSubscription(connection, name);
      connection.outbox = [];
    },
  });

  app.get('/health', (res) => {
    res.cork(() => {
      res
        .writeStatus(closing ? '503 Service Unavailable' : '200 OK')
        .writeHeader('Content-Type', 'application/json')
        .end(JSON.stringify({ status: closing ? 'closing' : 'ok', connections: connections.size }));
    });
  });

  app.any('/*', (res) => {
    res
      .writeStatus('426 Upgrade Required')
      .writeHeader('Upgrade', 'websocket')
      .end('WebSocket endpoint: /ws');
  });

  return {
    nodeId,

    listen(host, port) {
      return new Promise((resolve, reject) => {
        app.listen(host, port, (socket) => {
          if (!socket) {
            reject(new Error(`realtime gateway could not listen on ${host}:${port}`));
            return;
          }
          listenSocket = socket;
          resolve(uWS.us_socket_local_port(socket as unknown as uWS.us_socket));
        });
      });
    },

    disconnectUser(userId, code) {
      let closed = 0;
      for (const connection of [...connections]) {
        if (connection.userId !== userId || connection.closed) continue;
        closeWith(connection, code);
        closed += 1;
      }
      return closed;
    },

    stats() {
      return {
        connections: connections.size,
        frames: framesIn,
        deliveries: fanout.stats.deliveries,
        thinned: fanout.stats.thinned,
        slowClosed: fanout.stats.slowClosed,
        relays: relays.size,
      };
    },

    async close() {
      if (closing) return;
      closing = true;
      clearInterval(sweep);
      clearInterval(liveTimer);
      if (listenSocket !== null) uWS.us_listen_socket_close(listenSocket);
      listenSocket = null;
      fanout.flush();
      for (const connection of [...connections])
        closeWith(connection, 'SERVER_RESTART', 'server restarting');
      fanout.close();
      await Promise.all(
        [...relays.values()].map(({ relay }) => relay.close().catch(() => undefined)),
      );
      relays.clear();
    },
  };
}
