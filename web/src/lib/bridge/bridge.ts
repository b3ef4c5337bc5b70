import {
  checkPayload,
  checkReply,
  checkResult,
  decodeNativeMessage,
  encodeRefused,
  encodeRequest,
  type BridgeErrorCode,
  type BridgeEventName,
  type BridgeEventPayloads,
  type HapticResult,
  type HapticStyle,
  type NetworkInfo,
  type PurchaseRequest,
  type PurchaseResult,
  type RequestKind,
  type RequestPayloads,
  type RequestResults,
  type SafeAreaInsets,
  type ShareRequest,
  type ShareResult,
} from '@binge/core/protocol/webview-bridge';
import { BridgeError } from './bridge-error.ts';
import type { BridgeWindow, MessageEventLike } from './bridge-window.ts';
import {
  browserHaptic,
  browserNetwork,
  browserShare,
  measureSafeArea,
  purchaseUnavailable,
  watchBrowserEvent,
} from './browser-capabilities.ts';
import { detectShell, type Shell, type ShellKind } from './shell.ts';
import {
  defaultWechatPayPage,
  wechatNetwork,
  wechatPurchase,
  wechatShare,
} from './wechat-mini-program.ts';

/**
 * The page side of the webview bridge (protocol: @binge/core/protocol/webview-bridge). One object
 * answers every capability wherever the page runs: through the native shell when there is one,
 * through a WeChat mini-program's navigation, or through the browser's own APIs; each request
 * either resolves with a result of the protocol's schema or rejects with a `BridgeError`.
 */
export interface Bridge {
  /** Where the page runs now (a WeChat web-view may be recognised only after load). */
  readonly shell: ShellKind;
  request<K extends RequestKind>(
    kind: K,
    payload: RequestPayloads[K],
    options?: { timeoutMs?: number },
  ): Promise<RequestResults[K]>;
  purchase(item: PurchaseRequest): Promise<PurchaseResult>;
  share(content: ShareRequest): Promise<ShareResult>;
  networkType(): Promise<NetworkInfo>;
  haptic(style: HapticStyle): Promise<HapticResult>;
  safeArea(): Promise<SafeAreaInsets>;
  /** Listens to one event; returns the function that stops listening. */
  on<E extends BridgeEventName>(
    event: E,
    listener: (payload: BridgeEventPayloads[E]) => void,
  ): () => void;
  /** Native messages the page refused (malformed, unknown, late); the shell is told too. */
  onRefused(listener: (error: BridgeError) => void): () => void;
  /** What native code calls, also installed as `window.__bingeBridge.receive`. */
  receive(message: unknown): void;
  /** Rejects pending requests with DISPOSED and detaches every listener. */
  dispose(): void;
}

export interface BridgeOptions {
  /** Per-kind request timeouts in ms; a store sheet or share sheet waits on the viewer. */
  timeoutsMs?: Partial<Record<RequestKind, number>>;
  /** The mini-program page that takes payments, navigated to with the item in its query. */
  wechatPayPage?: string;
  /** Request id source; tests pin it. */
  nextId?: () => string;
}

export const defaultTimeoutsMs: Record<RequestKind, number> = {
  purchase: 10 * 60_000,
  share: 2 * 60_000,
  networkType: 5_000,
  haptic: 5_000,
  safeArea: 5_000,
};

interface Pending {
  kind: RequestKind;
  resolve(result: unknown): void;
  reject(error: BridgeError): void;
  timer: unknown;
}

function defaultIdSource(): () => string {
  let sequence = 0;
  const session = Math.random().toString(36).slice(2, 10);
  return () => `${session}-${(sequence += 1)}`;
}

/** Text that claims to be a bridge message; other `message` events belong to someone else. */
function looksLikeBridgeMessage(data: unknown): boolean {
  if (typeof data === 'string') return data.startsWith('{') && data.includes('"v"');
  return typeof data === 'object' && data !== null && 'v' in data;
}

export function createBridge(win: BridgeWindow, options: BridgeOptions = {}): Bridge {
  const timeouts = { ...defaultTimeoutsMs, ...options.timeoutsMs };
  const payPage = options.wechatPayPage ?? defaultWechatPayPage;
  const nextId = options.nextId ?? defaultIdSource();
  const pending = new Map<string, Pending>();
  const listeners = new Map<BridgeEventName, Set<(payload: never) => void>>();
  const browserSources = new Map<BridgeEventName, () => void>();
  const refusedListeners = new Set<(error: BridgeError) => void>();
  const detach: Array<() => void> = [];
  let disposed = false;

  let shell: Shell = detectShell(win);
  /** A shell found once stays; a page that looked like a browser is looked at again. */
  function currentShell(): Shell {
    if (shell.kind === 'browser' || (shell.kind === 'wechat' && shell.miniProgram === null)) {
      shell = detectShell(win);
    }
    return shell;
  }

  function emit<E extends BridgeEventName>(event: E, payload: BridgeEventPayloads[E]): void {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        (listener as (payload: BridgeEventPayloads[E]) => void)(payload);
      } catch (error) {
        // A listener's bug surfaces as an uncaught error of its own, after the others have run.
        win.setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }

  function refuse(code: BridgeErrorCode, message: string, re?: string): void {
    const error = new BridgeError(code, message);
    for (const listener of [...refusedListeners]) {
      try {
        listener(error);
      } catch (_) {
        // A refusal listener is a diagnostic; its failure must not stop the next message.
      }
    }
    const now = currentShell();
    if (now.kind === 'android' || now.kind === 'ios') {
      try {
        now.post(encodeRefused(code, message, re));
      } catch (_) {
        // The shell went away; nothing to tell.
      }
    }
  }

  function settle(id: string): Pending | undefined {
    const entry = pending.get(id);
    if (entry === undefined) return undefined;
    pending.delete(id);
    win.clearTimeout(entry.timer);
    return entry;
  }

  function receive(message: unknown): void {
    if (disposed) return;
    const decoded = decodeNativeMessage(message);
    if (!decoded.ok) {
      // A broken reply to a known request fails that request now instead of at its timeout.
      if (decoded.re !== undefined) {
        settle(decoded.re)?.reject(new BridgeError(decoded.code, decoded.message));
      }
      refuse(decoded.code, decoded.message, decoded.re);
      return;
    }
    if (decoded.message.type === 'event') {
      const { event, payload } = decoded.message.event;
      emit(event, payload as never);
      return;
    }
    const reply = decoded.message.reply;
    const entry = settle(reply.re);
    if (entry === undefined) {
      refuse('UNKNOWN_REQUEST', `no pending request ${reply.re}`, reply.re);
      return;
    }
    const checked = checkReply(entry.kind, reply);
    if (!checked.ok) {
      entry.reject(new BridgeError(checked.code, checked.message));
      refuse(checked.code, checked.message, reply.re);
      return;
    }
    if (checked.reply.ok) entry.resolve(checked.reply.result);
    else entry.reject(new BridgeError(checked.reply.error.code, checked.reply.error.message, true));
  }

  function nativeRequest<K extends RequestKind>(
    post: (text: string) => void,
    kind: K,
    payload: RequestPayloads[K],
    timeoutMs: number,
  ): Promise<RequestResults[K]> {
    return new Promise((resolve, reject) => {
      const id = nextId();
      const timer = win.setTimeout(() => {
        settle(id)?.reject(new BridgeError('TIMEOUT', `${kind} got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { kind, resolve: resolve as (result: unknown) => void, reject, timer });
      try {
        post(encodeRequest(id, kind, payload));
      } catch (error) {
        settle(id)?.reject(
          new BridgeError('NO_SHELL', `posting to the shell failed: ${String(error)}`),
        );
      }
    });
  }

  async function fallback<K extends RequestKind>(
    kind: K,
    payload: RequestPayloads[K],
    current: Shell,
  ): Promise<RequestResults[K]> {
    const wechat = current.kind === 'wechat' ? current : null;
    let result: unknown;
    switch (kind) {
      case 'purchase':
        result = wechat
          ? await wechatPurchase(wechat.miniProgram, payPage, payload as PurchaseRequest)
          : purchaseUnavailable;
        break;
      case 'share':
        result = wechat?.miniProgram
          ? wechatShare(wechat.miniProgram, payload as ShareRequest)
          : await browserShare(win.navigator, payload as ShareRequest);
        break;
      case 'networkType':
        result =
          (wechat ? wechatNetwork(win.navigator.userAgent ?? '') : null) ??
          browserNetwork(win.navigator);
        break;
      case 'haptic':
        result = browserHaptic(win.navigator, (payload as RequestPayloads['haptic']).style);
        break;
      case 'safeArea':
        result = measureSafeArea(win);
        break;
    }
    const invalid = checkResult(kind, result);
    if (invalid) throw new BridgeError(invalid.code, invalid.message);
    return result as RequestResults[K];
  }

  async function request<K extends RequestKind>(
    kind: K,
    payload: RequestPayloads[K],
    requestOptions: { timeoutMs?: number } = {},
  ): Promise<RequestResults[K]> {
    if (disposed) throw new BridgeError('DISPOSED', 'the bridge was disposed');
    const invalid = checkPayload(kind, payload);
    if (invalid) throw new BridgeError(invalid.code, invalid.message);
    const current = currentShell();
    if (current.kind === 'android' || current.kind === 'ios') {
      try {
        return await nativeRequest(
          current.post,
          kind,
          payload,
          requestOptions.timeoutMs ?? timeouts[kind],
        );
      } catch (error) {
        // An older shell without this capability: the browser engine's version is better than none.
        if (error instanceof BridgeError && error.fromNative && error.code === 'UNKNOWN_KIND') {
          return fallback(kind, payload, { kind: 'browser' });
        }
        throw error;
      }
    }
    return fallback(kind, payload, current);
  }

  function on<E extends BridgeEventName>(
    event: E,
    listener: (payload: BridgeEventPayloads[E]) => void,
  ): () => void {
    if (disposed) return () => {};
    let set = listeners.get(event);
    if (set === undefined) {
      set = new Set();
      listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    // Native shells send their own events; elsewhere the browser's equivalents feed the listeners.
    const kind = currentShell().kind;
    if (kind !== 'android' && kind !== 'ios' && !browserSources.has(event)) {
      browserSources.set(
        event,
        watchBrowserEvent(win, event, (payload) => emit(event, payload)),
      );
    }
    return () => {
      set.delete(listener as (payload: never) => void);
      if (set.size === 0) {
        browserSources.get(event)?.();
        browserSources.delete(event);
      }
    };
  }

  const receiver = { receive };
  win.__bingeBridge = receiver;
  if (shell.kind === 'android' || shell.kind === 'ios') {
    // androidx.webkit's addWebMessageListener answers on the injected object; postWebMessage and
    // some shells answer with window `message` events. Both carry the same text as receive().
    const onMessage = (event: MessageEventLike) => {
      if (looksLikeBridgeMessage(event.data)) receive(event.data);
    };
    const android = win.BingeAndroid;
    if (android && typeof android.addEventListener === 'function') {
      android.addEventListener('message', onMessage);
      detach.push(() => android.removeEventListener?.('message', onMessage));
    }
    win.addEventListener('message', onMessage);
    detach.push(() => win.removeEventListener('message', onMessage));
  }

  return {
    get shell() {
      return currentShell().kind;
    },
    request,
    purchase: (item) => request('purchase', item),
    share: (content) => request('share', content),
    networkType: () => request('networkType', {}),
    haptic: (style) => request('haptic', { style }),
    safeArea: () => request('safeArea', {}),
    on,
    onRefused(listener) {
      refusedListeners.add(listener);
      return () => refusedListeners.delete(listener);
    },
    receive,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const id of [...pending.keys()]) {
        settle(id)?.reject(new BridgeError('DISPOSED', 'the bridge was disposed'));
      }
      for (const stop of browserSources.values()) stop();
      browserSources.clear();
      listeners.clear();
      refusedListeners.clear();
      for (const stop of detach) stop();
      if (win.__bingeBridge === receiver) delete win.__bingeBridge;
    },
  };
}

let instance: Bridge | null = null;

/**
 * The page's one bridge, created on first use (never at import, never during SSR). It marks
 * `<html data-binge-shell="android|ios|wechat|browser">` so styles can follow the shell.
 */
export function bridge(): Bridge {
  if (instance) return instance;
  // Read through globalThis so this module type-checks without the DOM library (the shell
  // simulator's tests import it from Node).
  const win = (globalThis as { window?: BridgeWindow }).window;
  if (win === undefined) {
    throw new BridgeError('NO_SHELL', 'bridge() runs in the browser, not during server rendering');
  }
  instance = createBridge(win);
  win.document.documentElement?.setAttribute('data-binge-shell', instance.shell);
  return instance;
}
