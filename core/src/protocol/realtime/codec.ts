/**
 * Encoding and decoding of realtime frames. Decoding never throws: any byte string gives either a
 * validated frame or an error code from codes.ts with a short message. The checks run cheapest
 * first so hostile input costs as little as possible:
 *
 * 1. size, before reading a byte (FRAME_TOO_LARGE);
 * 2. a structural pre-scan that bounds depth and refuses bin/ext/non-string keys/truncation
 *    (msgpack-scan.ts: BAD_FRAME, TOO_DEEP);
 * 3. @msgpack/msgpack with length limits (BAD_FRAME);
 * 4. the envelope `[type, rid, payload]` (BAD_FRAME, UNKNOWN_FRAME_TYPE);
 * 5. the hello version (UNSUPPORTED_VERSION), then the payload schema (INVALID_PAYLOAD);
 * 6. the channel name (UNKNOWN_CHANNEL), whether the frame type applies to its kind
 *    (NOT_AVAILABLE), the kind's data schema (INVALID_PAYLOAD) and the text policy of
 *    danmu-text.ts (TEXT_REJECTED), whose cleaned text replaces what was sent.
 *
 * Who may do what (canSubscribe, canPublish), existence, blocks and rate limits are the gateway's.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { hasHistory, parseChannel, type Channel, type ChannelKind } from './channels.ts';
import type { ErrorCodeName } from './codes.ts';
import { sanitizeText, type TextKind } from './danmu-text.ts';
import {
  FrameType,
  PROTOCOL_VERSION,
  isClientFrameType,
  isServerFrameType,
  type ClientFrame,
  type Frame,
  type ServerFrame,
} from './frames.ts';
import {
  MAX_CLIENT_FRAME_BYTES,
  MAX_DEPTH,
  MAX_HISTORY_WINDOW_MS,
  MAX_RID,
  MAX_SERVER_FRAME_BYTES,
} from './limits.ts';
import { scanMsgpack } from './msgpack-scan.ts';
import * as P from './payloads.ts';
import { MAX_WATCH_BATCH } from '../watch-events.ts';

/**
 * `rid` is set when the envelope was readable, so the error can answer the request it refuses
 * (every request gets exactly one reply); absent for frames too broken to carry one.
 */
export type DecodeFailure = { ok: false; code: ErrorCodeName; message: string; rid?: number };
export type DecodedClientFrame = { ok: true; frame: ClientFrame; channel: Channel | null };
export type DecodedServerFrame = { ok: true; frame: ServerFrame };

interface Checker {
  check(value: unknown): boolean;
  firstError(value: unknown): string;
}

interface ValueErrorLike {
  path: string;
  message: string;
}

function describe(error: ValueErrorLike | undefined): string {
  if (error === undefined) return 'does not match the schema';
  return `${error.path || '/'}: ${error.message}`.slice(0, 200);
}

/**
 * TypeCompiler generates code with `new Function`; a page whose Content-Security-Policy forbids
 * eval makes that throw, and the interpreted Value.Check (same verdicts, slower) takes over.
 */
function compile(schema: TSchema): Checker {
  try {
    const compiled = TypeCompiler.Compile(schema);
    return {
      check: (value) => compiled.Check(value),
      firstError: (value) => describe(compiled.Errors(value).First()),
    };
  } catch (_) {
    return {
      check: (value) => Value.Check(schema, value),
      firstError: (value) => describe(Value.Errors(schema, value).First()),
    };
  }
}

const clientPayloads = new Map<number, Checker>([
  [FrameType.hello, compile(P.HelloPayload)],
  [FrameType.subscribe, compile(P.SubscribePayload)],
  [FrameType.unsubscribe, compile(P.UnsubscribePayload)],
  [FrameType.publish, compile(P.PublishPayload)],
  [FrameType.history, compile(P.HistoryPayload)],
  [FrameType.ack, compile(P.AckPayload)],
  [FrameType.ping, compile(P.PingPayload)],
  [FrameType.refresh, compile(P.RefreshPayload)],
  [FrameType.feed, compile(P.FeedRequestPayload)],
  [FrameType.watch, compile(P.WatchPayload)],
]);

const serverPayloads = new Map<number, Checker>([
  [FrameType.welcome, compile(P.WelcomePayload)],
  [FrameType.subscribed, compile(P.SubscribedPayload)],
  [FrameType.unsubscribed, compile(P.UnsubscribedPayload)],
  [FrameType.publication, compile(P.PublicationPayload)],
  [FrameType.batch, compile(P.BatchPayload)],
  [FrameType.historyResult, compile(P.HistoryResultPayload)],
  [FrameType.ok, compile(P.OkPayload)],
  [FrameType.error, compile(P.ErrorPayload)],
  [FrameType.pong, compile(P.PongPayload)],
  [FrameType.feedPage, compile(P.FeedPagePayload)],
  [FrameType.watchAck, compile(P.WatchAckPayload)],
]);

/** What a client may publish on each kind of channel; kinds not listed take no publications. */
const publishData: Partial<Record<ChannelKind, { checker: Checker; text: TextKind | null }>> = {
  danmu: { checker: compile(P.DanmuSend), text: 'danmu' },
  chat: { checker: compile(P.ChatSend), text: 'chat' },
  dm: { checker: compile(P.DmSend), text: 'dm' },
  progress: { checker: compile(P.ProgressData), text: null },
};

const publicationData: Record<ChannelKind, Checker> = {
  feed: compile(P.FeedData),
  danmu: compile(P.DanmuData),
  chat: compile(P.ChatData),
  dm: compile(P.DmData),
  progress: compile(P.ProgressData),
  live: compile(P.LiveData),
  liveCreator: compile(P.LiveData),
  notify: compile(P.NotifyData),
};

// ignoreUndefined: an optional field left undefined is omitted, not sent as nil.
const encoder = new Encoder({ ignoreUndefined: true });

function decoder(maxBytes: number, maxArrayLength: number): Decoder {
  return new Decoder({
    maxStrLength: maxBytes,
    maxBinLength: 0,
    maxExtLength: 0,
    maxArrayLength,
    maxMapLength: 32,
  });
}

// A client frame's longest array is a `watch` batch (the envelope has 3 items); twice that still
// decodes, so an over-long batch is refused by its schema with the request's rid, not as garbage.
// A server frame holds at most a batch or a history page.
const clientDecoder = decoder(MAX_CLIENT_FRAME_BYTES, 2 * MAX_WATCH_BATCH);
const serverDecoder = decoder(MAX_SERVER_FRAME_BYTES, 2000);

export function encodeFrame(frame: Frame): Uint8Array {
  return encoder.encode([frame.type, frame.rid, frame.payload]);
}

function fail(code: ErrorCodeName, message: string): DecodeFailure {
  return { ok: false, code, message };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Envelope = { type: number; rid: number; payload: Record<string, unknown> };

function readEnvelope(input: unknown, maxBytes: number, dec: Decoder): Envelope | DecodeFailure {
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) bytes = input;
  else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
  else return fail('BAD_FRAME', 'a frame is a binary message');
  if (bytes.byteLength > maxBytes) {
    return fail('FRAME_TOO_LARGE', `frame of ${bytes.byteLength} bytes exceeds ${maxBytes}`);
  }
  if (bytes.byteLength === 0) return fail('BAD_FRAME', 'empty frame');
  const scan = scanMsgpack(bytes, MAX_DEPTH);
  if (!scan.ok) {
    return scan.reason === 'tooDeep'
      ? fail('TOO_DEEP', `nesting exceeds depth ${MAX_DEPTH}`)
      : fail('BAD_FRAME', 'malformed MessagePack');
  }
  let value: unknown;
  try {
    value = dec.decode(bytes);
  } catch (_) {
    return fail('BAD_FRAME', 'malformed MessagePack');
  }
  if (!Array.isArray(value) || value.length !== 3) {
    return fail('BAD_FRAME', 'a frame is an array [type, rid, payload]');
  }
  const [type, rid, payload] = value as [unknown, unknown, unknown];
  if (!Number.isInteger(type) || !Number.isInteger(rid) || !isPlainObject(payload)) {
    return fail('BAD_FRAME', 'a frame is an array [type, rid, payload]');
  }
  if ((rid as number) < 0 || (rid as number) > MAX_RID) {
    return fail('BAD_FRAME', 'rid is not a uint32');
  }
  return { type: type as number, rid: rid as number, payload };
}

function channelOf(name: unknown): Channel | DecodeFailure {
  const parsed = parseChannel(name);
  return parsed.ok ? parsed.channel : fail('UNKNOWN_CHANNEL', 'malformed channel name');
}

function notAvailable(type: string, kind: ChannelKind): DecodeFailure {
  return fail('NOT_AVAILABLE', `${type} is not available on ${kind} channels`);
}

/** Decodes and validates a frame from a client. Never throws. */
export function decodeClientFrame(input: unknown): DecodedClientFrame | DecodeFailure {
  try {
    return decodeClient(input);
  } catch (_) {
    // Unreachable by design; a guard so that a bug here answers a code instead of killing a socket.
    return fail('BAD_FRAME', 'undecodable frame');
  }
}

function decodeClient(input: unknown): DecodedClientFrame | DecodeFailure {
  const envelope = readEnvelope(input, MAX_CLIENT_FRAME_BYTES, clientDecoder);
  if ('ok' in envelope) return envelope;
  const result = decodeClientEnvelope(envelope);
  if (!result.ok && envelope.rid !== 0) result.rid = envelope.rid;
  return result;
}

function decodeClientEnvelope(envelope: Envelope): DecodedClientFrame | DecodeFailure {
  const { type, rid, payload } = envelope;
  if (!isClientFrameType(type)) return fail('UNKNOWN_FRAME_TYPE', `unknown frame type ${type}`);
  if (rid === 0) return fail('BAD_FRAME', 'a client frame carries rid >= 1');
  if (type === FrameType.hello && Number.isInteger(payload.v) && payload.v !== PROTOCOL_VERSION) {
    return fail('UNSUPPORTED_VERSION', `protocol version ${PROTOCOL_VERSION} only`);
  }
  const checker = clientPayloads.get(type)!;
  if (!checker.check(payload)) return fail('INVALID_PAYLOAD', checker.firstError(payload));

  const frame = { type, rid, payload } as ClientFrame;
  if (frame.type === FrameType.hello || frame.type === FrameType.ping) {
    return { ok: true, frame, channel: null };
  }
  if (
    frame.type === FrameType.refresh ||
    frame.type === FrameType.feed ||
    frame.type === FrameType.watch
  ) {
    return { ok: true, frame, channel: null };
  }

  const channel = channelOf(frame.payload.ch);
  if ('ok' in channel) return channel;

  switch (frame.type) {
    case FrameType.subscribe:
      if (frame.payload.rc !== undefined && !hasHistory(channel.kind)) {
        return notAvailable('recovery', channel.kind);
      }
      break;
    case FrameType.unsubscribe:
      break;
    case FrameType.history: {
      if (channel.kind !== 'danmu') return notAvailable('history', channel.kind);
      const { from, to } = frame.payload;
      if (to < from || to - from > MAX_HISTORY_WINDOW_MS) {
        return fail(
          'INVALID_PAYLOAD',
          `window must satisfy 0 <= to - from <= ${MAX_HISTORY_WINDOW_MS}`,
        );
      }
      break;
    }
    case FrameType.ack:
      if (channel.kind !== 'dm') return notAvailable('ack', channel.kind);
      break;
    case FrameType.publish: {
      const rule = publishData[channel.kind];
      if (rule === undefined) return notAvailable('publish', channel.kind);
      const data = frame.payload.d;
      if (!rule.checker.check(data)) {
        return fail('INVALID_PAYLOAD', `d${rule.checker.firstError(data)}`);
      }
      if (rule.text !== null) {
        const sent = data as P.DanmuSend | P.ChatSend | P.DmSend;
        const verdict = sanitizeText(sent.t, rule.text);
        if (!verdict.ok) return fail('TEXT_REJECTED', `text rejected: ${verdict.reason}`);
        sent.t = verdict.text;
        if ('col' in sent) sent.col = sent.col.toLowerCase();
      } else {
        const progress = data as P.ProgressData;
        if (progress.pos > progress.dur) {
          return fail('INVALID_PAYLOAD', 'd/pos: must not exceed d/dur');
        }
      }
      break;
    }
  }
  return { ok: true, frame, channel };
}

/** Decodes and validates a frame from the server (for clients). Never throws. */
export function decodeServerFrame(input: unknown): DecodedServerFrame | DecodeFailure {
  try {
    return decodeServer(input);
  } catch (_) {
    return fail('BAD_FRAME', 'undecodable frame');
  }
}

function checkPubs(
  channel: Channel,
  pubs: ReadonlyArray<{ off?: number; d: unknown }>,
  where: string,
  offsets: boolean = hasHistory(channel.kind),
): DecodeFailure | null {
  const checker = publicationData[channel.kind];
  for (let i = 0; i < pubs.length; i += 1) {
    const pub = pubs[i]!;
    if ((pub.off !== undefined) !== offsets) {
      return fail(
        'INVALID_PAYLOAD',
        `${where}/${i}/off: ${offsets ? 'required' : 'not allowed'} on ${channel.kind}`,
      );
    }
    if (!checker.check(pub.d)) {
      return fail('INVALID_PAYLOAD', `${where}/${i}/d${checker.firstError(pub.d)}`);
    }
  }
  return null;
}

function decodeServer(input: unknown): DecodedServerFrame | DecodeFailure {
  const envelope = readEnvelope(input, MAX_SERVER_FRAME_BYTES, serverDecoder);
  if ('ok' in envelope) return envelope;
  const { type, rid, payload } = envelope;
  if (!isServerFrameType(type)) return fail('UNKNOWN_FRAME_TYPE', `unknown frame type ${type}`);
  const checker = serverPayloads.get(type)!;
  if (!checker.check(payload)) return fail('INVALID_PAYLOAD', checker.firstError(payload));
  const frame = { type, rid, payload } as ServerFrame;

  switch (frame.type) {
    case FrameType.welcome:
      if (frame.payload.v !== PROTOCOL_VERSION) {
        return fail('UNSUPPORTED_VERSION', `protocol version ${PROTOCOL_VERSION} only`);
      }
      break;
    case FrameType.unsubscribed: {
      const channel = channelOf(frame.payload.ch);
      if ('ok' in channel) return channel;
      break;
    }
    case FrameType.subscribed: {
      const channel = channelOf(frame.payload.ch);
      if ('ok' in channel) return channel;
      const problem = checkPubs(channel, frame.payload.pubs ?? [], 'pubs');
      if (problem) return problem;
      break;
    }
    case FrameType.historyResult: {
      const channel = channelOf(frame.payload.ch);
      if ('ok' in channel) return channel;
      if (channel.kind !== 'danmu') return notAvailable('history', channel.kind);
      // Danmu replayed by video time come from storage, not from the stream: no offsets.
      const problem = checkPubs(channel, frame.payload.pubs, 'pubs', false);
      if (problem) return problem;
      break;
    }
    case FrameType.publication: {
      const channel = channelOf(frame.payload.ch);
      if ('ok' in channel) return channel;
      const problem = checkPubs(channel, [frame.payload], '');
      if (problem) return problem;
      break;
    }
    case FrameType.batch:
      for (let i = 0; i < frame.payload.pubs.length; i += 1) {
        const pub = frame.payload.pubs[i]!;
        const channel = channelOf(pub.ch);
        if ('ok' in channel) return channel;
        const problem = checkPubs(channel, [pub], `pubs/${i}`);
        if (problem) return problem;
      }
      break;
    case FrameType.ok:
    case FrameType.error:
    case FrameType.pong:
    case FrameType.feedPage:
    case FrameType.watchAck:
      break;
  }
  return { ok: true, frame };
}
