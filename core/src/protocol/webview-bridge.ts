/**
 * The webview bridge: the versioned message protocol between the web client running inside a
 * native shell (Android WebView, WKWebView) and that shell. JSON text both ways, because Android's
 * `@JavascriptInterface` and `evaluateJavascript` carry strings only, and one text codec lets the
 * Kotlin and Swift sides decode with their standard JSON decoders and enforce one size limit.
 *
 * - page → native request: `{v:1, id, kind, payload}`
 * - native → page reply:   `{v:1, re, ok:true, result}` or `{v:1, re, ok:false, error:{code, message}}`
 * - native → page event:   `{v:1, event, payload}`
 * - page → native notice:  `{v:1, refused:{code, message, re?}}` when the page refuses a native
 *   message, so the shell's developer sees why in its log instead of a silent timeout.
 *
 * Decoding never throws: any input gives a validated message or a code from `bridgeErrorCodes`.
 * Objects are closed, as in the realtime protocol: within one version an unknown key is a bug.
 * Money is not decided here: a purchase result carries the store's receipt or order id for the
 * server to verify (issue 7); the bridge only carries it.
 */
import {
  Type,
  type ObjectOptions,
  type Static,
  type TProperties,
  type TSchema,
} from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

export const BRIDGE_VERSION = 1;

export const bridgeLimits = {
  /** One message as JSON text, in UTF-16 code units; an App Store JWS receipt fits well within. */
  maxMessageChars: 32_768,
  maxIdChars: 64,
  maxTitleChars: 200,
  maxTextChars: 2_000,
  maxUrlChars: 2_048,
  maxReceiptChars: 16_384,
  maxSkuChars: 128,
  maxMessageTextChars: 500,
  /** CSS pixels; anything larger is not an inset of a real screen. */
  maxInsetPx: 2_000,
} as const;

/**
 * Every code the bridge produces, with what it means. Native shells answer with these codes too
 * (or their own, matching `errorCodePattern`); the page treats unknown codes as opaque failures.
 */
export const bridgeErrorCodes = {
  BAD_MESSAGE: 'not JSON, not an object, or an envelope without its required fields',
  MESSAGE_TOO_LARGE: `a message longer than ${bridgeLimits.maxMessageChars} characters`,
  UNSUPPORTED_VERSION: `a message whose v is not ${BRIDGE_VERSION}`,
  UNKNOWN_KIND: 'a request kind this side does not implement (an older shell, a newer page)',
  UNKNOWN_EVENT: 'an event name the page does not know',
  INVALID_PAYLOAD: 'a payload, result or error that does not match its schema',
  UNKNOWN_REQUEST: 'a reply to no pending request (late after a timeout, duplicate, or made up)',
  TIMEOUT: 'the native side did not answer in time',
  DISPOSED: 'the bridge was disposed while the request was pending',
  NO_SHELL: 'no native shell is attached to this page',
  PURCHASE_UNAVAILABLE: 'no in-app store here; the viewer buys through the web checkout',
  SHARE_UNAVAILABLE: 'neither a native share sheet, the Web Share API nor the clipboard worked',
  WECHAT_SDK_MISSING: 'in a WeChat mini-program web-view without the JSSDK (wx.miniProgram)',
  NAVIGATION_FAILED: 'the mini-program refused to open its pay page',
  NATIVE_ERROR: 'the native side failed and gave no code of its own',
} as const;

export type BridgeErrorCode = keyof typeof bridgeErrorCodes;

/** Codes a native shell may send: ours or its own, in the same SCREAMING_SNAKE form. */
export const errorCodePattern = '^[A-Z][A-Z0-9_]{1,63}$';

function closed<T extends TProperties>(properties: T, options: ObjectOptions = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

const text = (maxLength: number) => Type.String({ maxLength });
const RequestId = Type.String({ pattern: `^[A-Za-z0-9_-]{1,${bridgeLimits.maxIdChars}}$` });
const Sku = Type.String({ pattern: `^[A-Za-z0-9._-]{1,${bridgeLimits.maxSkuChars}}$` });
/** A server order id the store transaction is tied to (Apple appAccountToken, Play obfuscated id). */
const OrderRef = Type.String({ pattern: `^[A-Za-z0-9_-]{1,${bridgeLimits.maxIdChars}}$` });
const EpisodeId = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Inset = Type.Number({ minimum: 0, maximum: bridgeLimits.maxInsetPx });

// Requests (page → native) -------------------------------------------------------------------

/** What to buy: a store SKU, one episode's unlock, or a pack of coins. */
export const PurchaseRequest = Type.Union([
  closed({ type: Type.Literal('sku'), sku: Sku, orderRef: Type.Optional(OrderRef) }),
  closed({
    type: Type.Literal('episode'),
    episodeId: EpisodeId,
    sku: Type.Optional(Sku),
    orderRef: Type.Optional(OrderRef),
  }),
  closed({ type: Type.Literal('coins'), packId: Sku, orderRef: Type.Optional(OrderRef) }),
]);
export type PurchaseRequest = Static<typeof PurchaseRequest>;

export const ShareRequest = closed({
  title: text(bridgeLimits.maxTitleChars),
  text: text(bridgeLimits.maxTextChars),
  url: Type.String({ minLength: 1, maxLength: bridgeLimits.maxUrlChars, pattern: '^https?://' }),
});
export type ShareRequest = Static<typeof ShareRequest>;

export const HapticStyle = Type.Union([
  Type.Literal('light'),
  Type.Literal('medium'),
  Type.Literal('heavy'),
  Type.Literal('success'),
  Type.Literal('warning'),
  Type.Literal('error'),
]);
export type HapticStyle = Static<typeof HapticStyle>;
export const HapticRequest = closed({ style: HapticStyle });
export type HapticRequest = Static<typeof HapticRequest>;

export const EmptyRequest = closed({});
export type EmptyRequest = Static<typeof EmptyRequest>;

// Results (native → page) --------------------------------------------------------------------

export const Store = Type.Union([
  Type.Literal('apple'),
  Type.Literal('google'),
  Type.Literal('wechat'),
  Type.Literal('other'),
]);
export type Store = Static<typeof Store>;

const Receipt = Type.String({ minLength: 1, maxLength: bridgeLimits.maxReceiptChars });

/**
 * `purchased` carries what the server verifies: a receipt, an order id, or both. `pending` is a
 * purchase the store will finish later (parental approval, a slow payment method, a mini-program
 * pay page). `unavailable` sends the viewer to the web checkout.
 */
export const PurchaseResult = Type.Union([
  closed({
    status: Type.Literal('purchased'),
    store: Store,
    receipt: Receipt,
    orderId: Type.Optional(OrderRef),
  }),
  closed({ status: Type.Literal('purchased'), store: Store, orderId: OrderRef }),
  closed({ status: Type.Literal('pending'), store: Store, orderId: Type.Optional(OrderRef) }),
  closed({ status: Type.Literal('cancelled') }),
  closed({
    status: Type.Literal('unavailable'),
    code: Type.Literal('PURCHASE_UNAVAILABLE'),
    checkout: Type.Literal('web'),
  }),
]);
export type PurchaseResult = Static<typeof PurchaseResult>;

/**
 * `copied`: the link went to the clipboard instead of a share sheet. `deferred`: the host shares it
 * later from its own menu (a WeChat mini-program shares what the page posted when the viewer taps
 * "share").
 */
export const ShareResult = closed({
  status: Type.Union([
    Type.Literal('shared'),
    Type.Literal('cancelled'),
    Type.Literal('copied'),
    Type.Literal('deferred'),
  ]),
});
export type ShareResult = Static<typeof ShareResult>;

export const NetworkInfo = closed({
  type: Type.Union([
    Type.Literal('wifi'),
    Type.Literal('cellular'),
    Type.Literal('ethernet'),
    Type.Literal('none'),
    Type.Literal('unknown'),
  ]),
  /** The Network Information API's estimate of the link quality. */
  effectiveType: Type.Optional(
    Type.Union([
      Type.Literal('slow-2g'),
      Type.Literal('2g'),
      Type.Literal('3g'),
      Type.Literal('4g'),
      Type.Literal('5g'),
    ]),
  ),
  /** The viewer asked for less data (Android Data Saver, iOS Low Data Mode). */
  saveData: Type.Optional(Type.Boolean()),
});
export type NetworkInfo = Static<typeof NetworkInfo>;
export type NetworkType = NetworkInfo['type'];

export const HapticResult = closed({
  status: Type.Union([Type.Literal('performed'), Type.Literal('unsupported')]),
});
export type HapticResult = Static<typeof HapticResult>;

export const SafeAreaInsets = closed({ top: Inset, right: Inset, bottom: Inset, left: Inset });
export type SafeAreaInsets = Static<typeof SafeAreaInsets>;

// Events (native → page) ---------------------------------------------------------------------

export const ScreenRecordingEvent = closed({ active: Type.Boolean() });
export type ScreenRecordingEvent = Static<typeof ScreenRecordingEvent>;
export const AppStateEvent = closed({
  state: Type.Union([Type.Literal('background'), Type.Literal('foreground')]),
});
export type AppStateEvent = Static<typeof AppStateEvent>;

// The tables ---------------------------------------------------------------------------------

const requestSchemas = {
  purchase: { payload: PurchaseRequest, result: PurchaseResult },
  share: { payload: ShareRequest, result: ShareResult },
  networkType: { payload: EmptyRequest, result: NetworkInfo },
  haptic: { payload: HapticRequest, result: HapticResult },
  safeArea: { payload: EmptyRequest, result: SafeAreaInsets },
} as const;

const eventSchemas = {
  screenRecording: ScreenRecordingEvent,
  appState: AppStateEvent,
  networkChange: NetworkInfo,
  safeAreaChange: SafeAreaInsets,
} as const;

export type RequestKind = keyof typeof requestSchemas;
export type BridgeEventName = keyof typeof eventSchemas;
export const requestKinds = Object.keys(requestSchemas) as RequestKind[];
export const bridgeEventNames = Object.keys(eventSchemas) as BridgeEventName[];

export type RequestPayloads = {
  [K in RequestKind]: Static<(typeof requestSchemas)[K]['payload']>;
};
export type RequestResults = { [K in RequestKind]: Static<(typeof requestSchemas)[K]['result']> };
export type BridgeEventPayloads = { [E in BridgeEventName]: Static<(typeof eventSchemas)[E]> };

export type BridgeRequest = {
  [K in RequestKind]: { v: 1; id: string; kind: K; payload: RequestPayloads[K] };
}[RequestKind];
export type ReplyError = { code: string; message: string };
export type BridgeReply =
  | { v: 1; re: string; ok: true; result: unknown }
  | { v: 1; re: string; ok: false; error: ReplyError };
/** A reply whose result was checked against the schema of the request it answers. */
export type TypedReply<K extends RequestKind> =
  | { v: 1; re: string; ok: true; result: RequestResults[K] }
  | { v: 1; re: string; ok: false; error: ReplyError };
export type BridgeEvent = {
  [E in BridgeEventName]: { v: 1; event: E; payload: BridgeEventPayloads[E] };
}[BridgeEventName];
export type RefusedNotice = {
  v: 1;
  refused: { code: BridgeErrorCode; message: string; re?: string };
};

export type BridgeFailure = { ok: false; code: BridgeErrorCode; message: string; re?: string };

// Decoding -----------------------------------------------------------------------------------

interface Checker {
  check(value: unknown): boolean;
  firstError(value: unknown): string;
}

function describe(error: { path: string; message: string } | undefined): string {
  if (error === undefined) return 'does not match the schema';
  return `${error.path || '/'}: ${error.message}`.slice(0, 200);
}

/** TypeCompiler uses `new Function`; under a CSP without eval the interpreter gives the verdicts. */
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

function mapValues<T extends Record<string, unknown>, R>(
  table: T,
  fn: (value: T[keyof T]) => R,
): { [K in keyof T]: R } {
  const out = {} as { [K in keyof T]: R };
  for (const key of Object.keys(table) as (keyof T)[]) out[key] = fn(table[key]);
  return out;
}

const payloadCheckers = mapValues(requestSchemas, (s) => compile(s.payload));
const resultCheckers = mapValues(requestSchemas, (s) => compile(s.result));
const eventCheckers = mapValues(eventSchemas, (s) => compile(s));
const idChecker = compile(RequestId);
const refusedChecker = compile(
  closed({
    code: Type.Union(Object.keys(bridgeErrorCodes).map((code) => Type.Literal(code))),
    message: text(bridgeLimits.maxMessageTextChars),
    re: Type.Optional(RequestId),
  }),
);
const replyErrorChecker = compile(
  closed({
    code: Type.String({ pattern: errorCodePattern }),
    message: text(bridgeLimits.maxMessageTextChars),
  }),
);

function fail(code: BridgeErrorCode, message: string, re?: string): BridgeFailure {
  return re === undefined ? { ok: false, code, message } : { ok: false, code, message, re };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

export function isRequestKind(value: unknown): value is RequestKind {
  return typeof value === 'string' && hasOwn(requestSchemas, value);
}

export function isBridgeEventName(value: unknown): value is BridgeEventName {
  return typeof value === 'string' && hasOwn(eventSchemas, value);
}

/**
 * Text or an already-parsed object (WKWebView and `message` events may hand over either) to a
 * plain object with a supported version, or the first reason it is not one.
 */
function readObject(input: unknown): Record<string, unknown> | BridgeFailure {
  let value: unknown = input;
  if (typeof input === 'string') {
    if (input.length > bridgeLimits.maxMessageChars) {
      return fail(
        'MESSAGE_TOO_LARGE',
        `${input.length} characters exceed ${bridgeLimits.maxMessageChars}`,
      );
    }
    try {
      value = JSON.parse(input);
    } catch (_) {
      return fail('BAD_MESSAGE', 'not JSON');
    }
  } else if (isPlainObject(input)) {
    let size: number;
    try {
      size = JSON.stringify(input).length;
    } catch (_) {
      return fail('BAD_MESSAGE', 'not serialisable as JSON');
    }
    if (size > bridgeLimits.maxMessageChars) {
      return fail('MESSAGE_TOO_LARGE', `${size} characters exceed ${bridgeLimits.maxMessageChars}`);
    }
  }
  if (!isPlainObject(value)) return fail('BAD_MESSAGE', 'a message is a JSON object');
  if (value.v !== BRIDGE_VERSION) {
    return fail('UNSUPPORTED_VERSION', `bridge protocol version ${BRIDGE_VERSION} only`);
  }
  return value;
}

function only(value: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of Object.keys(value)) if (!keys.includes(key)) return key;
  return null;
}

function isFailure(value: unknown): value is BridgeFailure {
  return isPlainObject(value) && value.ok === false && typeof value.code === 'string';
}

export type PageMessage =
  | { type: 'request'; request: BridgeRequest }
  | { type: 'refused'; refused: RefusedNotice['refused'] };

/**
 * Native side: a page's request, or the page's notice that it refused something the shell sent.
 * Never throws; a failure carries `re` when the request id was readable, so it can be answered.
 */
export function decodePageMessage(
  input: unknown,
): { ok: true; message: PageMessage } | BridgeFailure {
  try {
    const value = readObject(input);
    if (isFailure(value)) return value;
    if (hasOwn(value, 'refused')) {
      const extra = only(value, ['v', 'refused']);
      if (extra !== null) return fail('BAD_MESSAGE', `unexpected key ${extra}`);
      if (!refusedChecker.check(value.refused)) {
        return fail('INVALID_PAYLOAD', `refused${refusedChecker.firstError(value.refused)}`);
      }
      const refused = value.refused as RefusedNotice['refused'];
      return { ok: true, message: { type: 'refused', refused } };
    }
    const id = idChecker.check(value.id) ? (value.id as string) : undefined;
    if (id === undefined) return fail('BAD_MESSAGE', 'a request has an id of 1-64 [A-Za-z0-9_-]');
    const extra = only(value, ['v', 'id', 'kind', 'payload']);
    if (extra !== null) return fail('BAD_MESSAGE', `unexpected key ${extra}`, id);
    if (!isRequestKind(value.kind)) {
      return fail('UNKNOWN_KIND', `unknown request kind ${String(value.kind).slice(0, 40)}`, id);
    }
    const checker = payloadCheckers[value.kind];
    if (!checker.check(value.payload)) {
      return fail('INVALID_PAYLOAD', `payload${checker.firstError(value.payload)}`, id);
    }
    return { ok: true, message: { type: 'request', request: value as BridgeRequest } };
  } catch (_) {
    return fail('BAD_MESSAGE', 'undecodable message');
  }
}

export type NativeMessage =
  { type: 'reply'; reply: BridgeReply } | { type: 'event'; event: BridgeEvent };

/**
 * Page side: a reply or an event from the shell. A reply's result is checked later, against the
 * kind of the request it answers (`checkReply`), because only the page knows which kind that was.
 */
export function decodeNativeMessage(
  input: unknown,
): { ok: true; message: NativeMessage } | BridgeFailure {
  try {
    const value = readObject(input);
    if (isFailure(value)) return value;
    if (hasOwn(value, 'event')) {
      const extra = only(value, ['v', 'event', 'payload']);
      if (extra !== null) return fail('BAD_MESSAGE', `unexpected key ${extra}`);
      if (!isBridgeEventName(value.event)) {
        return fail('UNKNOWN_EVENT', `unknown event ${String(value.event).slice(0, 40)}`);
      }
      const checker = eventCheckers[value.event];
      if (!checker.check(value.payload)) {
        return fail(
          'INVALID_PAYLOAD',
          `${value.event} payload${checker.firstError(value.payload)}`,
        );
      }
      return { ok: true, message: { type: 'event', event: value as BridgeEvent } };
    }
    const re = idChecker.check(value.re) ? (value.re as string) : undefined;
    if (re === undefined) return fail('BAD_MESSAGE', 'a message is a reply (re) or an event');
    if (value.ok === true) {
      const extra = only(value, ['v', 're', 'ok', 'result']);
      if (extra !== null) return fail('BAD_MESSAGE', `unexpected key ${extra}`, re);
      if (!hasOwn(value, 'result')) return fail('INVALID_PAYLOAD', 'a success carries result', re);
      return { ok: true, message: { type: 'reply', reply: value as BridgeReply } };
    }
    if (value.ok === false) {
      const extra = only(value, ['v', 're', 'ok', 'error']);
      if (extra !== null) return fail('BAD_MESSAGE', `unexpected key ${extra}`, re);
      if (!replyErrorChecker.check(value.error)) {
        return fail('INVALID_PAYLOAD', `error${replyErrorChecker.firstError(value.error)}`, re);
      }
      return { ok: true, message: { type: 'reply', reply: value as BridgeReply } };
    }
    return fail('BAD_MESSAGE', 'a reply has ok: true or false', re);
  } catch (_) {
    return fail('BAD_MESSAGE', 'undecodable message');
  }
}

/** Checks a decoded reply's result against the kind of the request it answers. */
export function checkReply<K extends RequestKind>(
  kind: K,
  reply: BridgeReply,
): { ok: true; reply: TypedReply<K> } | BridgeFailure {
  if (!reply.ok) return { ok: true, reply };
  const checker = resultCheckers[kind];
  if (!checker.check(reply.result)) {
    return fail('INVALID_PAYLOAD', `${kind} result${checker.firstError(reply.result)}`, reply.re);
  }
  return { ok: true, reply: reply as TypedReply<K> };
}

/** Checks a request payload before it is sent, so a page bug fails on the page, not in Kotlin. */
export function checkPayload<K extends RequestKind>(
  kind: K,
  payload: unknown,
): BridgeFailure | null {
  const checker = payloadCheckers[kind];
  return checker.check(payload)
    ? null
    : fail('INVALID_PAYLOAD', `payload${checker.firstError(payload)}`);
}

/** Checks a result produced on the page (a browser fallback) against the same schema. */
export function checkResult<K extends RequestKind>(kind: K, result: unknown): BridgeFailure | null {
  const checker = resultCheckers[kind];
  return checker.check(result)
    ? null
    : fail('INVALID_PAYLOAD', `${kind} result${checker.firstError(result)}`);
}

/** Native side: checks an event payload before it is sent. */
export function checkEvent<E extends BridgeEventName>(
  event: E,
  payload: unknown,
): BridgeFailure | null {
  const checker = eventCheckers[event];
  return checker.check(payload)
    ? null
    : fail('INVALID_PAYLOAD', `${event} payload${checker.firstError(payload)}`);
}

// Encoding -----------------------------------------------------------------------------------

export function encodeRequest<K extends RequestKind>(
  id: string,
  kind: K,
  payload: RequestPayloads[K],
): string {
  return JSON.stringify({ v: BRIDGE_VERSION, id, kind, payload });
}

export function encodeSuccess<K extends RequestKind>(
  re: string,
  _kind: K,
  result: RequestResults[K],
): string {
  return JSON.stringify({ v: BRIDGE_VERSION, re, ok: true, result });
}

export function encodeFailure(re: string, error: ReplyError): string {
  return JSON.stringify({
    v: BRIDGE_VERSION,
    re,
    ok: false,
    error: { code: error.code, message: error.message.slice(0, bridgeLimits.maxMessageTextChars) },
  });
}

export function encodeEvent<E extends BridgeEventName>(
  event: E,
  payload: BridgeEventPayloads[E],
): string {
  return JSON.stringify({ v: BRIDGE_VERSION, event, payload });
}

export function encodeRefused(code: BridgeErrorCode, message: string, re?: string): string {
  const trimmed = message.slice(0, bridgeLimits.maxMessageTextChars);
  const refused = re === undefined ? { code, message: trimmed } : { code, message: trimmed, re };
  return JSON.stringify({ v: BRIDGE_VERSION, refused });
}
