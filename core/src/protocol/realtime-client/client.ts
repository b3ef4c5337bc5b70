import type { HlcStamp } from '../crdt/hlc-stamp.ts';
import { parseChannel } from '../realtime/channels.ts';
import { decodeClientFrame, decodeServerFrame, encodeFrame } from '../realtime/codec.ts';
import { errorCode, type ErrorCodeName } from '../realtime/codes.ts';
import { FrameType, PROTOCOL_VERSION, type ClientFrame } from '../realtime/frames.ts';
import { MAX_CLIENT_FRAME_BYTES } from '../realtime/limits.ts';
import type {
  FeedPagePayload,
  HistoryResultPayload,
  OkPayload,
  ProgressData,
  Pub,
  SubscribePayload,
  SubscribedPayload,
  WelcomePayload,
} from '../realtime/payloads.ts';
import { connectionOpened, createBackoff, nextDelay } from './backoff.ts';
import type { PublishChannel, PublishInput } from './channel-data.ts';
import { resolveClientOptions, type RealtimeClientOptions } from './client-options.ts';
import { createClientMessageId } from './client-message-id.ts';
import { createEmitter, type Listener } from './emitter.ts';
import { createOutbox, type OutboxRequest } from './outbox.ts';
import { progressData, type ProgressWrite } from './progress-queue.ts';
import { createProgressSync, type KnownProgress } from './progress-sync.ts';
import { RealtimeError } from './realtime-error.ts';
import { createRequestTable, type RequestHandlers } from './requests.ts';
import { ABNORMAL_CLOSURE, NORMAL_CLOSURE, SOCKET_OPEN, type WebSocketLike } from './socket.ts';
import type { WatchAck, WatchEventInput } from '../watch-events.ts';
import {
  createChannelSubscribers,
  type ChannelSubscribers,
  type PublicationHandler,
  type PublicationMeta,
  type Subscription,
} from './channel-subscribers.ts';
import { createSubscriptionTable } from './subscriptions.ts';
import { createTimerSet, type Timer } from './timers.ts';

// The app imports the client from this module alone.
export type { ChannelData, PublishChannel, PublishInput } from './channel-data.ts';
export type { ProtocolErrorReport, RealtimeClientOptions } from './client-options.ts';
export type { KnownProgress, ProgressStorage } from './progress-sync.ts';
export { RealtimeError, type RealtimeErrorKind } from './realtime-error.ts';
export type {
  PublicationHandler,
  PublicationMeta,
  Subscription,
  SubscriptionEvents,
  SubscriptionState,
} from './channel-subscribers.ts';

/**
 * The typed realtime client: one WebSocket to the gateway, spoken in the protocol of
 * docs/protocol.md with the codec of ../realtime (every server frame decoded and validated, every
 * client frame checked by the same rules the gateway applies before it is sent). Browser-safe: the
 * socket, the timers, the clock, the randomness and the storage all come in through options.
 *
 * It keeps the session alive across drops: pings at the welcome's interval, token refresh before
 * expiry, reconnect with the close-code policy and backoff of backoff.ts, recovery of every channel
 * from its last (epoch, offset) through subscriptions.ts, publishes held and re-sent with their
 * idempotency key, and watch progress queued offline and merged by HLC (progress-sync.ts).
 */

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What the gateway's `welcome` said about this connection. */
export interface Session {
  /** The signed-in user, null when anonymous. */
  readonly uid: number | null;
  /** Connection id, for support. */
  readonly cid: string;
  /** Token expiry, ms since the epoch by the gateway's clock; 0 when anonymous. */
  readonly exp: number;
  readonly pingIntervalMs: number;
  /** The largest frame the gateway accepts from this client. */
  readonly maxFrameBytes: number;
}

export interface RealtimeClientEvents {
  /** A connection was welcomed; `reconnected` after the first. */
  open: Session & { readonly reconnected: boolean };
  /** A connection (or an attempt at one) ended. */
  close: {
    readonly code: number;
    readonly reason: string;
    readonly willReconnect: boolean;
    /** When the next attempt starts, if one will. */
    readonly delayMs: number | null;
  };
  /** The client stopped for good: a close code that forbids reconnecting, or `close()`. */
  closed: { readonly code: number; readonly reason: string };
  /** An error frame pushed by the gateway (rid 0), a token or storage failure. */
  error: RealtimeError;
  /** A channel's history no longer reaches: reload its state over HTTP. */
  refetch: { readonly ch: string; readonly reason: string };
  /** Newer progress arrived from another device (or `mergeProgress`). */
  progress: KnownProgress;
  /** The gateway kept a newer write than this device's; the winner comes on the channel. */
  progressStale: { readonly episodeId: number; readonly stamp: HlcStamp };
}

export interface PublishResult {
  /** The publication's offset in its channel. */
  readonly off: number | undefined;
  readonly mid: string | undefined;
  /** The gateway had already accepted this cmid (a retried send); off and mid are the original. */
  readonly dup: boolean;
  readonly cmid: string;
}

export interface RealtimeClient {
  readonly state: ConnectionState;
  /** The current connection's session, null while not open. */
  readonly session: Session | null;
  /**
   * Starts connecting (once; later calls join) and resolves with the session at the next welcome.
   * Rejects if the client closes first. 'error' listeners attached before the first call see what
   * restoring the stored progress queue discarded.
   */
  connect(): Promise<Session>;
  /** Closes the socket and cancels every timer; pending requests fail with `closed`. */
  close(): void;
  on<K extends keyof RealtimeClientEvents>(
    name: K,
    listener: Listener<RealtimeClientEvents[K]>,
  ): () => void;
  /**
   * Subscribes to a channel (now, or at the next welcome) and keeps it subscribed across
   * reconnects. Several subscriptions to one channel share one subscription on the wire.
   */
  subscribe<C extends string>(ch: C, handler: PublicationHandler<C>): Subscription<C>;
  /** Sends a danmu, chat message or DM; waits through disconnections until the deadline. */
  publish<C extends PublishChannel>(ch: C, data: PublishInput<C>): Promise<PublishResult>;
  /**
   * Danmu of an episode by video time (`ch` is `danmu:<episodeId>`). After a page with `more`,
   * ask again with `from` = the last entry's `pos` and `after` = its `mid`.
   */
  history(
    ch: string,
    from: number,
    to: number,
    lim?: number,
    after?: string,
  ): Promise<HistoryResultPayload>;
  feed(cur?: string, lim?: number): Promise<FeedPagePayload>;
  /**
   * Sends watch events (signed-in connections only). Resent through disconnections until the
   * publish deadline: each event's `id` makes a resend harmless (the gateway answers DUPLICATE).
   */
  watch(events: readonly WatchEventInput[]): Promise<WatchAck>;
  /** Marks messages of your own `dm:` channel up to `mid` delivered (1) or read (2). */
  ack(mid: string, kind: 1 | 2): Promise<void>;
  /** Records watch progress: stamped, queued offline, sent to `progress:<uid>` when connected. */
  setProgress(episodeId: number, positionMs: number, durationMs: number): void;
  /** Merges progress loaded over HTTP (after a refetch), like one received on the channel. */
  mergeProgress(data: ProgressData): void;
  /** The newest progress known per episode. */
  progress(): ReadonlyMap<number, KnownProgress>;
  /** Progress writes not yet acknowledged by the gateway, oldest first. */
  pendingProgress(): readonly ProgressWrite[];
}

/**
 * Pings go out at this fraction of the welcome's `pi`: docs/protocol.md asks for one at least every
 * `pi`, and the margin absorbs timer lateness in a throttled background tab.
 */
const PING_FRACTION = 0.9;

/** A failed token refresh is retried at half the remaining lifetime while this much is left. */
const MIN_REFRESH_RETRY_MS = 2_000;

/** Server errors worth sending a progress write again for, later. */
const transientErrors: ReadonlySet<ErrorCodeName> = new Set([
  'INTERNAL',
  'RATE_LIMITED',
  'LIMIT_EXCEEDED',
]);

/** Channel kinds `publish` sends to; progress writes go through the queue of `setProgress`. */
const publishKinds: ReadonlySet<string> = new Set(['danmu', 'chat', 'dm']);

/** One channel on the wire, shared by every subscription to it. */
interface ChannelEntry {
  readonly subscribers: ChannelSubscribers;
  /** The subscribe whose reply counts; a reply to an older one (since superseded) is ignored. */
  subscribeRid: number | null;
  /** ALREADY_SUBSCRIBED was answered once and repaired with unsubscribe + subscribe. */
  reclaimed: boolean;
}

interface TokenLease {
  readonly value: string;
  /** Server-clock time after which the token is refreshed, and no longer used for a new socket. */
  readonly refreshAt: number;
}

function invalid(name: ErrorCodeName, message: string, ch?: string): RealtimeError {
  return new RealtimeError('invalid', message, {
    code: errorCode(name),
    ...(ch === undefined ? {} : { ch }),
  });
}

export function createRealtimeClient(options: RealtimeClientOptions): RealtimeClient {
  const config = resolveClientOptions(options);
  const { now, requestTimeoutMs, publishDeadlineMs, pongTimeoutMs, onProtocolError } = config;

  const timers = createTimerSet(config.timers);
  const requests = createRequestTable(timers);
  const outbox = createOutbox(timers, send, (rid) => requests.forget(rid));
  const table = createSubscriptionTable();
  const events = createEmitter<RealtimeClientEvents>(config.onListenerError);
  const channels = new Map<string, ChannelEntry>();
  const connectWaiters: Array<{ resolve(s: Session): void; reject(e: RealtimeError): void }> = [];

  let phase: ConnectionState = 'idle';
  let socket: WebSocketLike | null = null;
  /** Bumped per connection attempt and on close: async work of an older one drops its result. */
  let generation = 0;
  let session: Session | null = null;
  /** The uid of the last welcome, for `ack` and the progress channel while reconnecting. */
  let lastUid: number | null = null;
  let everOpened = false;
  let backoff = createBackoff(config.backoff);
  let lease: TokenLease | null = null;
  /** Gateway clock minus ours, from welcome and pong (`ts`, halfway through the round trip). */
  let clockOffsetMs = 0;
  let handshakeTimer: Timer | null = null;
  let pingTimer: Timer | null = null;
  let refreshTimer: Timer | null = null;
  let progressSub: Subscription | null = null;

  /** The gateway's clock: token expiry is in it, and HLC stamps are taken from it. */
  const serverNow = () => now() + clockOffsetMs;

  const storageErrors: RealtimeError[] = [];
  const { sync: progress, restoreErrors } = createProgressSync({
    node: config.hlcNode,
    now: serverNow,
    ...(config.storage === undefined ? {} : { storage: config.storage }),
    storageKey: config.storageKey,
    ...(config.progressCapacity === undefined ? {} : { capacity: config.progressCapacity }),
    onStorageError: (cause) => {
      const error = new RealtimeError('storage', 'the progress queue storage failed', { cause });
      if (phase === 'idle') storageErrors.push(error);
      else events.emit('error', error);
    },
  });
  for (const cause of restoreErrors) {
    storageErrors.push(new RealtimeError('storage', cause.message, { cause }));
  }

  // Sending ----------------------------------------------------------------------------------

  /** The check the gateway's codec will apply, run before sending, so no frame earns a strike. */
  function checkFrame(type: ClientFrame['type'], rid: number, payload: object) {
    const bytes = encodeFrame({ type, rid, payload } as ClientFrame);
    const limit = session?.maxFrameBytes ?? MAX_CLIENT_FRAME_BYTES;
    if (bytes.byteLength > limit) {
      return invalid('FRAME_TOO_LARGE', `frame of ${bytes.byteLength} bytes exceeds ${limit}`);
    }
    const verdict = decodeClientFrame(bytes);
    if (!verdict.ok) return invalid(verdict.code, verdict.message);
    return bytes;
  }

  function send(
    type: ClientFrame['type'],
    payload: object,
    handlers: RequestHandlers,
  ): number | RealtimeError {
    const ws = socket;
    if (ws === null || ws.readyState !== SOCKET_OPEN) {
      return new RealtimeError('disconnected', 'not connected');
    }
    const rid = requests.add(handlers);
    const bytes = checkFrame(type, rid, payload);
    if (bytes instanceof RealtimeError) {
      requests.forget(rid);
      return bytes;
    }
    ws.send(bytes);
    return rid;
  }

  function request<T>(item: OutboxRequest<T>): Promise<T> {
    if (phase === 'closed') {
      return Promise.reject(new RealtimeError('closed', 'the client is closed'));
    }
    return outbox.add(item, phase === 'open');
  }

  function timedOut(): RealtimeError {
    return new RealtimeError('timeout', `no reply within ${requestTimeoutMs} ms`);
  }

  // Subscriptions ----------------------------------------------------------------------------

  function sendSubscribe(entry: ChannelEntry, payload: SubscribePayload): void {
    const rid: number | RealtimeError = send(FrameType.subscribe, payload, {
      expect: FrameType.subscribed,
      // No timeout: a live gateway answers every request, and pings catch a dead socket.
      timeoutMs: null,
      onReply: (frame) => onSubscribed(entry, rid as number, frame.payload as SubscribedPayload),
      onFail: (error) => onSubscribeFailed(entry, rid as number, error),
    });
    if (rid instanceof RealtimeError) {
      if (rid.kind !== 'disconnected') dropChannel(entry, rid);
      return;
    }
    entry.subscribeRid = rid;
  }

  function sendUnsubscribe(ch: string): void {
    // The reply (or NOT_SUBSCRIBED) changes nothing: the table already forgot the channel.
    const ignore = () => {};
    send(
      FrameType.unsubscribe,
      { ch },
      { expect: FrameType.unsubscribed, timeoutMs: null, onReply: ignore, onFail: ignore },
    );
  }

  function isCurrent(entry: ChannelEntry, rid: number): boolean {
    return channels.get(entry.subscribers.ch) === entry && entry.subscribeRid === rid;
  }

  function onSubscribed(entry: ChannelEntry, rid: number, reply: SubscribedPayload): void {
    if (!isCurrent(entry, rid)) return;
    const { subscribers } = entry;
    const ch = subscribers.ch;
    entry.subscribeRid = null;
    entry.reclaimed = false;
    const outcome = table.onSubscribed(reply);
    switch (outcome.kind) {
      case 'fresh':
        subscribers.emit('fresh', { ch });
        break;
      case 'recovered':
        for (const pub of outcome.pubs) subscribers.deliver(pub, { recovered: true });
        subscribers.emit('recovered', { ch, count: outcome.pubs.length });
        break;
      case 'refetch':
        subscribers.emit('refetch', { ch, reason: outcome.reason });
        events.emit('refetch', { ch, reason: outcome.reason });
        break;
      case 'ignore':
        break;
    }
    if (progressSub !== null && ch === progressSub.ch) flushProgress();
  }

  function onSubscribeFailed(entry: ChannelEntry, rid: number, error: RealtimeError): void {
    // A dropped socket: every channel is subscribed again after the next welcome.
    if (error.kind === 'disconnected' || error.kind === 'closed') return;
    if (!isCurrent(entry, rid)) return;
    entry.subscribeRid = null;
    const ch = entry.subscribers.ch;
    if (error.codeName === 'ALREADY_SUBSCRIBED' && !entry.reclaimed) {
      // The gateway holds a subscription this client lost track of (a STATE_LOST crossing a
      // resubscribe): drop it and subscribe again, so the reply carries a position.
      entry.reclaimed = true;
      const position = table.get(ch)?.position ?? undefined;
      sendUnsubscribe(ch);
      sendSubscribe(entry, table.subscribe(ch, position));
      return;
    }
    dropChannel(entry, error);
  }

  /** The gateway refused or dropped the channel: every subscription to it closes. */
  function dropChannel(entry: ChannelEntry, error: RealtimeError | null, code = error?.code): void {
    const ch = entry.subscribers.ch;
    if (channels.get(ch) !== entry) return;
    channels.delete(ch);
    table.unsubscribe(ch);
    entry.subscribers.closeAll({ ch, code: code ?? null, error });
    if (progressSub !== null && progressSub.ch === ch) {
      progressSub = null;
      flushProgress();
    }
  }

  function onServerUnsubscribed(ch: string, code: number | undefined): void {
    const entry = channels.get(ch);
    if (entry === undefined) return;
    if (code === errorCode('STATE_LOST')) {
      const view = table.get(ch);
      // pending or recovering: a subscribe is already on its way and its reply re-establishes it.
      if (view === undefined || view.status !== 'active') return;
      sendSubscribe(entry, table.subscribe(ch, view.position ?? undefined));
      return;
    }
    const error =
      code === undefined
        ? null
        : new RealtimeError('server', 'the gateway dropped the subscription', { code, ch });
    dropChannel(entry, error, code);
  }

  function onPublication(ch: string, pub: Pub): void {
    const entry = channels.get(ch);
    if (entry === undefined) return;
    const outcome = table.onPublication(ch, pub);
    switch (outcome.kind) {
      case 'deliver':
        entry.subscribers.deliver(
          outcome.pub,
          outcome.skipped === undefined
            ? { recovered: false }
            : { recovered: false, skipped: outcome.skipped },
        );
        break;
      case 'gap':
        // subscriptions.ts: the gateway answers a second subscribe with ALREADY_SUBSCRIBED, so
        // unsubscribe first; the subscribe's reply brings everything after the position.
        sendUnsubscribe(ch);
        sendSubscribe(entry, outcome.subscribe);
        break;
      case 'duplicate':
      case 'ignore':
        break;
    }
  }

  function subscribeChannel(ch: string, handler: (data: unknown, meta: PublicationMeta) => void) {
    if (!parseChannel(ch).ok) throw invalid('UNKNOWN_CHANNEL', `malformed channel name ${ch}`, ch);
    if (phase === 'closed') throw new RealtimeError('closed', 'the client is closed');
    let entry = channels.get(ch);
    if (entry === undefined) {
      const created: ChannelEntry = {
        subscribers: createChannelSubscribers(ch, {
          view: () => (channels.get(ch) === created ? table.get(ch) : undefined),
          onEmpty: () => {
            if (channels.get(ch) !== created) return;
            channels.delete(ch);
            table.unsubscribe(ch);
            if (phase === 'open') sendUnsubscribe(ch);
          },
          ...(config.onListenerError === undefined
            ? {}
            : { onListenerError: config.onListenerError }),
        }),
        subscribeRid: null,
        reclaimed: false,
      };
      entry = created;
      channels.set(ch, created);
      const payload = table.subscribe(ch);
      if (phase === 'open') sendSubscribe(created, payload);
    }
    return entry.subscribers.add(handler);
  }

  // Progress ---------------------------------------------------------------------------------

  function progressChannel(): string | null {
    return lastUid === null ? null : `progress:${lastUid}`;
  }

  /**
   * Sends the queued progress writes, once the progress channel's subscribe has been answered: a
   * recovered newer write from another device then removes ours before it is sent for nothing.
   */
  function flushProgress(): void {
    const ch = progressChannel();
    if (phase !== 'open' || ch === null) return;
    if (progressSub !== null && progressSub.state === 'subscribing') return;
    for (const write of progress.takeSendable()) {
      const result = send(
        FrameType.publish,
        { ch, d: progressData(write) },
        {
          expect: FrameType.ok,
          timeoutMs: requestTimeoutMs,
          onReply: (frame) => {
            progress.acknowledged(write);
            if (frame.type === FrameType.ok && frame.payload.stale === true) {
              events.emit('progressStale', { episodeId: write.episodeId, stamp: write.stamp });
            }
            flushProgress();
          },
          onFail: (error) => onProgressFailed(write, error),
        },
      );
      if (result instanceof RealtimeError) onProgressFailed(write, result);
    }
  }

  function onProgressFailed(write: ProgressWrite, error: RealtimeError): void {
    if (error.kind === 'disconnected' || error.kind === 'closed') {
      progress.failed(write, 'retry');
    } else if (error.kind === 'timeout' || error.kind === 'protocol') {
      progress.failed(write, 'hold');
    } else if (error.kind === 'server' && transientErrors.has(error.codeName ?? 'INTERNAL')) {
      progress.failed(write, 'hold');
    } else {
      progress.failed(write, 'drop');
      events.emit('error', error);
    }
  }

  function onRemoteProgress(data: ProgressData): void {
    const changed = progress.receive(data);
    if (changed !== null) events.emit('progress', changed);
  }

  // Connection -------------------------------------------------------------------------------

  function emitError(error: RealtimeError): void {
    events.emit('error', error);
  }

  async function tokenForConnection(): Promise<string | null> {
    if (lease !== null && serverNow() < lease.refreshAt) return lease.value;
    lease = null;
    const token = await config.getToken();
    if (token !== null && typeof token !== 'string') {
      throw new TypeError(`getToken resolved with ${typeof token}, not a string or null`);
    }
    return token;
  }

  function leaseFor(token: string, exp: number): TokenLease {
    const at = serverNow();
    return { value: token, refreshAt: at + Math.max(0, exp - at) * config.refreshFraction };
  }

  function attempt(): void {
    phase = 'connecting';
    const current = ++generation;
    tokenForConnection().then(
      (token) => {
        if (current === generation) openSocket(token);
      },
      (cause: unknown) => {
        if (current !== generation) return;
        emitError(new RealtimeError('token', 'getToken failed', { cause }));
        connectionLost(ABNORMAL_CLOSURE, 'the token request failed');
      },
    );
  }

  function openSocket(token: string | null): void {
    let ws: WebSocketLike;
    try {
      ws = new config.WebSocket(config.url);
      ws.binaryType = 'arraybuffer';
    } catch (cause) {
      emitError(new RealtimeError('disconnected', 'the WebSocket could not be created', { cause }));
      connectionLost(ABNORMAL_CLOSURE, 'the WebSocket could not be created');
      return;
    }
    socket = ws;
    handshakeTimer = timers.after(config.connectTimeoutMs, () =>
      abandon(`no welcome within ${config.connectTimeoutMs} ms`),
    );
    ws.addEventListener('open', () => {
      if (socket === ws) sendHello(token);
    });
    ws.addEventListener('message', (event) => {
      if (socket === ws) onMessage(event.data);
    });
    ws.addEventListener('close', (event) => {
      if (socket === ws) connectionLost(event.code, event.reason);
    });
    // Browsers give an error event no detail, and a close event always follows it; `ws` needs a
    // listener so that its error is not thrown as an unhandled 'error' event.
    ws.addEventListener('error', () => {});
  }

  function sendHello(token: string | null): void {
    const sentAt = now();
    const payload = {
      v: PROTOCOL_VERSION,
      ...(token === null ? {} : { tk: token }),
      ...(config.userAgent === undefined ? {} : { ua: config.userAgent }),
    };
    const result = send(FrameType.hello, payload, {
      expect: FrameType.welcome,
      timeoutMs: null,
      onReply: (frame) => onWelcome(frame.payload as WelcomePayload, token, sentAt),
      onFail: (error) => {
        // UNSUPPORTED_VERSION, TOKEN_INVALID or TOKEN_EXPIRED: the gateway closes right after,
        // and its close code decides what happens next.
        if (error.kind === 'server') emitError(error);
      },
    });
    if (result instanceof RealtimeError) {
      // The codec refused the hello: getToken returned something that is not a token.
      lease = null;
      emitError(new RealtimeError('token', `hello refused: ${result.message}`, { cause: result }));
      abandon('the hello frame was invalid');
    }
  }

  function onWelcome(welcome: WelcomePayload, token: string | null, sentAt: number): void {
    handshakeTimer?.cancel();
    handshakeTimer = null;
    clockOffsetMs = welcome.ts - (sentAt + now()) / 2;
    backoff = connectionOpened(backoff, now());
    lease = token !== null && welcome.exp > 0 ? leaseFor(token, welcome.exp) : null;
    if (progressSub !== null && progressSub.ch !== `progress:${welcome.uid}`) {
      // Another account on this connection: not its channel any more. Still connecting, so
      // nothing goes on the wire; the table forgets the channel before resubscribing the rest.
      progressSub.unsubscribe();
      progressSub = null;
    }

    phase = 'open';
    lastUid = welcome.uid;
    session = {
      uid: welcome.uid,
      cid: welcome.cid,
      exp: welcome.exp,
      pingIntervalMs: welcome.pi,
      maxFrameBytes: welcome.mf,
    };
    schedulePing();
    scheduleRefresh();
    progress.reset();

    for (const payload of table.resubscribeFrames()) {
      const entry = channels.get(payload.ch);
      if (entry !== undefined) sendSubscribe(entry, payload);
    }
    const ch = progressChannel();
    if (config.syncProgress && ch !== null && progressSub === null) {
      progressSub = subscribeChannel(ch, (data) => onRemoteProgress(data as ProgressData));
    }
    outbox.flush();
    flushProgress();

    const opened = session;
    const reconnected = everOpened;
    everOpened = true;
    events.emit('open', { ...opened, reconnected });
    for (const waiter of connectWaiters.splice(0)) waiter.resolve(opened);
  }

  function schedulePing(): void {
    const interval = Math.max(1, Math.floor((session?.pingIntervalMs ?? 0) * PING_FRACTION));
    pingTimer = timers.after(interval, ping);
  }

  function ping(): void {
    const ws = socket;
    const sentAt = now();
    send(
      FrameType.ping,
      {},
      {
        expect: FrameType.pong,
        timeoutMs: pongTimeoutMs,
        onReply: (frame) => {
          if (frame.type === FrameType.pong) {
            clockOffsetMs = frame.payload.ts - (sentAt + now()) / 2;
          }
        },
        onFail: (error) => {
          if (error.kind === 'timeout' && socket === ws) {
            abandon(`no pong within ${pongTimeoutMs} ms`);
          }
        },
      },
    );
    schedulePing();
  }

  function scheduleRefresh(): void {
    refreshTimer?.cancel();
    refreshTimer = null;
    if (lease === null) return;
    refreshTimer = timers.after(lease.refreshAt - serverNow(), refreshToken);
  }

  function retryRefresh(): void {
    const remaining = (session?.exp ?? 0) - serverNow();
    if (remaining > MIN_REFRESH_RETRY_MS) refreshTimer = timers.after(remaining / 2, refreshToken);
  }

  function refreshToken(): void {
    refreshTimer = null;
    const current = generation;
    const stillOpen = () => current === generation && phase === 'open';
    config.getToken().then(
      (token) => {
        if (!stillOpen()) return;
        if (token === null) {
          // Signed out meanwhile: nothing to refresh with. At `exp` the gateway closes with 4003
          // and the reconnect asks getToken again, and connects anonymously.
          lease = null;
          return;
        }
        const result = send(
          FrameType.refresh,
          { tk: token },
          {
            expect: FrameType.ok,
            timeoutMs: requestTimeoutMs,
            onReply: (frame) => {
              const exp = frame.type === FrameType.ok ? frame.payload.exp : undefined;
              if (exp === undefined || session === null || !stillOpen()) return;
              session = { ...session, exp };
              lease = leaseFor(token, exp);
              scheduleRefresh();
            },
            onFail: (error) => {
              if (error.kind === 'disconnected' || error.kind === 'closed' || !stillOpen()) return;
              emitError(error);
              retryRefresh();
            },
          },
        );
        if (result instanceof RealtimeError) {
          emitError(new RealtimeError('token', `refresh refused: ${result.message}`));
          retryRefresh();
        }
      },
      (cause: unknown) => {
        if (!stillOpen()) return;
        emitError(new RealtimeError('token', 'getToken failed', { cause }));
        retryRefresh();
      },
    );
  }

  function onMessage(data: unknown): void {
    const decoded = decodeServerFrame(data);
    if (!decoded.ok) {
      onProtocolError({ code: decoded.code, message: decoded.message });
      return;
    }
    const frame = decoded.frame;
    if (frame.rid !== 0) {
      const outcome = requests.settle(frame);
      if (outcome === 'mismatch') {
        onProtocolError({
          code: 'UNKNOWN_FRAME_TYPE',
          message: `unexpected reply to rid ${frame.rid}`,
        });
      }
      // 'unknown': the reply of a request that timed out or was abandoned; nothing waits for it.
      return;
    }
    switch (frame.type) {
      case FrameType.publication: {
        const { ch, off, d } = frame.payload;
        onPublication(ch, off === undefined ? { d } : { off, d });
        break;
      }
      case FrameType.batch:
        for (const { ch, off, d } of frame.payload.pubs) {
          onPublication(ch, off === undefined ? { d } : { off, d });
        }
        break;
      case FrameType.unsubscribed:
        onServerUnsubscribed(frame.payload.ch, frame.payload.c);
        break;
      case FrameType.error: {
        const { c, m, ch } = frame.payload;
        emitError(new RealtimeError('server', m, ch === undefined ? { code: c } : { code: c, ch }));
        break;
      }
      default:
        onProtocolError({
          code: 'BAD_FRAME',
          message: `a reply frame (type ${frame.type}) with rid 0`,
        });
    }
  }

  /** Gives up on a socket the client finds dead or broken, and reconnects as after a drop. */
  function abandon(reason: string): void {
    const ws = socket;
    socket = null;
    if (ws !== null) {
      if (ws.terminate !== undefined) ws.terminate();
      else ws.close();
    }
    connectionLost(ABNORMAL_CLOSURE, reason);
  }

  function stopConnectionTimers(): void {
    for (const timer of [handshakeTimer, pingTimer, refreshTimer]) timer?.cancel();
    handshakeTimer = pingTimer = refreshTimer = null;
  }

  function connectionLost(code: number, reason: string): void {
    socket = null;
    session = null;
    stopConnectionTimers();
    requests.failAll(new RealtimeError('disconnected', `connection closed (${code} ${reason})`));
    progress.reset();
    for (const entry of channels.values()) entry.subscribeRid = null;

    const decision = nextDelay(backoff, code, config.random, now());
    backoff = decision.state;
    if (decision.action === 'stop') {
      events.emit('close', { code, reason, willReconnect: false, delayMs: null });
      shutdown(code, reason || decision.reason);
      return;
    }
    // newToken policy (4003): the token the gateway refused must not be offered again.
    if (decision.action === 'refresh-token-then-reconnect') lease = null;
    phase = 'reconnecting';
    events.emit('close', { code, reason, willReconnect: true, delayMs: decision.delayMs });
    // A 'close' listener may have closed the client.
    if (phase === 'reconnecting') timers.after(decision.delayMs, attempt);
  }

  /** Stops for good: everything pending fails with `closed`, and no timer is left behind. */
  function shutdown(code: number, reason: string): void {
    if (phase === 'closed') return;
    phase = 'closed';
    generation += 1;
    session = null;
    stopConnectionTimers();
    const error = new RealtimeError('closed', `the client closed (${code} ${reason})`);
    requests.failAll(error);
    outbox.failAll(error);
    for (const waiter of connectWaiters.splice(0)) waiter.reject(error);
    for (const entry of channels.values()) entry.subscribers.closeAll();
    channels.clear();
    timers.clear();
    events.emit('closed', { code, reason });
  }

  return {
    get state() {
      return phase;
    },
    get session() {
      return session;
    },

    connect() {
      if (phase === 'closed') {
        return Promise.reject(new RealtimeError('closed', 'the client is closed'));
      }
      if (phase === 'open' && session !== null) return Promise.resolve(session);
      const opened = new Promise<Session>((resolve, reject) => {
        connectWaiters.push({ resolve, reject });
      });
      if (phase === 'idle') {
        for (const error of storageErrors.splice(0)) emitError(error);
        attempt();
      }
      return opened;
    },

    close() {
      if (phase === 'closed') return;
      const ws = socket;
      socket = null;
      ws?.close(NORMAL_CLOSURE, 'client closed');
      shutdown(NORMAL_CLOSURE, 'closed by the client');
    },

    on: (name, listener) => events.on(name, listener),

    subscribe<C extends string>(ch: C, handler: PublicationHandler<C>): Subscription<C> {
      return subscribeChannel(
        ch,
        handler as (data: unknown, meta: PublicationMeta) => void,
      ) as Subscription<C>;
    },

    publish(ch, data) {
      const parsed = parseChannel(ch);
      if (!parsed.ok) {
        return Promise.reject(invalid('UNKNOWN_CHANNEL', `malformed channel name ${ch}`, ch));
      }
      if (!publishKinds.has(parsed.channel.kind)) {
        return Promise.reject(
          invalid('NOT_AVAILABLE', 'publish is for danmu, chat and dm (progress: setProgress)', ch),
        );
      }
      let cmid: string;
      try {
        cmid = data.cmid ?? createClientMessageId(config.randomBytes);
      } catch (cause) {
        return Promise.reject(new RealtimeError('invalid', 'no random source for cmid', { cause }));
      }
      const payload = { ch, d: { ...data, cmid } };
      // Checked now, not only when sent: a refused publish fails at once even while offline.
      const checked = checkFrame(FrameType.publish, 1, payload);
      if (checked instanceof RealtimeError) return Promise.reject(checked);
      return request({
        type: FrameType.publish,
        expect: FrameType.ok,
        build: () => payload,
        retry: true,
        waitMs: publishDeadlineMs,
        expired: () =>
          new RealtimeError('deadline', `not delivered within ${publishDeadlineMs} ms`, { ch }),
        result: (ok) => {
          const { off, mid, dup } = ok as OkPayload;
          return { off, mid, dup: dup === true, cmid };
        },
      });
    },

    history(ch, from, to, lim, after) {
      const payload = {
        ch,
        from,
        to,
        ...(lim === undefined ? {} : { lim }),
        ...(after === undefined ? {} : { after }),
      };
      return request({
        type: FrameType.history,
        expect: FrameType.historyResult,
        build: () => payload,
        retry: false,
        waitMs: requestTimeoutMs,
        expired: timedOut,
        result: (reply) => reply as HistoryResultPayload,
      });
    },

    feed(cur, lim) {
      const payload = {
        ...(cur === undefined ? {} : { cur }),
        ...(lim === undefined ? {} : { lim }),
      };
      return request({
        type: FrameType.feed,
        expect: FrameType.feedPage,
        build: () => payload,
        retry: false,
        waitMs: requestTimeoutMs,
        expired: timedOut,
        result: (reply) => reply as FeedPagePayload,
      });
    },

    watch(events) {
      const payload = { ev: [...events] };
      const checked = checkFrame(FrameType.watch, 1, payload);
      if (checked instanceof RealtimeError) return Promise.reject(checked);
      return request({
        type: FrameType.watch,
        expect: FrameType.watchAck,
        build: () => payload,
        retry: true,
        waitMs: publishDeadlineMs,
        expired: () =>
          new RealtimeError('deadline', `not delivered within ${publishDeadlineMs} ms`),
        result: (reply) => reply as WatchAck,
      });
    },

    ack(mid, kind) {
      return request({
        type: FrameType.ack,
        expect: FrameType.ok,
        build: () =>
          lastUid === null
            ? invalid('UNAUTHORIZED', 'ack needs a signed-in connection (your own dm: channel)')
            : { ch: `dm:${lastUid}`, mid, k: kind },
        retry: false,
        waitMs: requestTimeoutMs,
        expired: timedOut,
        result: () => undefined,
      });
    },

    setProgress(episodeId, positionMs, durationMs) {
      progress.set(episodeId, positionMs, durationMs);
      flushProgress();
    },

    mergeProgress(data) {
      onRemoteProgress(data);
    },

    progress: () => progress.known(),
    pendingProgress: () => progress.pending(),
  };
}
