/**
 * The parts of `window` the bridge touches, typed by shape so that tests can hand in a fake
 * window and so that nothing here needs the DOM library. A real `Window` satisfies it; the native
 * globals are optional because only a shell defines them.
 */
export interface MessageEventLike {
  data?: unknown;
}

export interface EventTargetLike {
  addEventListener(type: string, listener: (event: MessageEventLike) => void): void;
  removeEventListener(type: string, listener: (event: MessageEventLike) => void): void;
}

/** `addJavascriptInterface` or androidx.webkit's `addWebMessageListener` object (both post text). */
export interface AndroidInterface {
  postMessage(message: string): void;
  addEventListener?(type: 'message', listener: (event: MessageEventLike) => void): void;
  removeEventListener?(type: 'message', listener: (event: MessageEventLike) => void): void;
}

export interface WebkitMessageHandler {
  postMessage(message: unknown): void;
}

export interface WxMiniProgram {
  navigateTo(options: { url: string; success?: () => void; fail?: (error: unknown) => void }): void;
  postMessage(options: { data: unknown }): void;
}

export interface NetworkInformationLike extends Partial<EventTargetLike> {
  type?: string;
  effectiveType?: string;
  saveData?: boolean;
}

export interface NavigatorLike {
  userAgent?: string;
  onLine?: boolean;
  connection?: NetworkInformationLike;
  share?(data: { title?: string; text?: string; url?: string }): Promise<void>;
  canShare?(data: { title?: string; text?: string; url?: string }): boolean;
  clipboard?: { writeText(text: string): Promise<void> };
  vibrate?(pattern: number | number[]): boolean;
}

export interface ElementLike {
  style: { cssText: string };
  remove(): void;
}

/**
 * The DOM's `appendChild` and `getComputedStyle` take a real Node or Element, which a shape cannot
 * be; `never` lets the real ones satisfy these signatures, and the one caller (the safe-area probe)
 * passes the element it got from `createElement`.
 */
type TakesCreatedElement = never;

export interface DocumentLike extends EventTargetLike {
  visibilityState?: string;
  documentElement?: { setAttribute(name: string, value: string): void } | null;
  body?: { appendChild(element: TakesCreatedElement): unknown } | null;
  createElement(tag: 'div'): ElementLike;
}

export interface BridgeReceiver {
  receive(message: unknown): void;
}

export interface BridgeWindow extends EventTargetLike {
  navigator: NavigatorLike;
  document: DocumentLike;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  getComputedStyle?(element: TakesCreatedElement): {
    paddingTop: string;
    paddingRight: string;
    paddingBottom: string;
    paddingLeft: string;
  };
  BingeAndroid?: AndroidInterface;
  webkit?: { messageHandlers?: { binge?: WebkitMessageHandler } };
  wx?: { miniProgram?: WxMiniProgram };
  __wxjs_environment?: string;
  /** The receive function native code calls: `window.__bingeBridge.receive(json)`. */
  __bingeBridge?: BridgeReceiver;
}
