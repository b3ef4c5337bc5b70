import type { BridgeWindow, WxMiniProgram } from './bridge-window.ts';

export type ShellKind = 'android' | 'ios' | 'wechat' | 'browser';

/** What the page runs in, and how it posts a message to the native side when there is one. */
export type Shell =
  | { kind: 'android' | 'ios'; post(text: string): void }
  | { kind: 'wechat'; miniProgram: WxMiniProgram | null }
  | { kind: 'browser' };

/**
 * The native shells announce themselves by defining their message handler before the page runs
 * (an Android JavaScript interface, a WKWebView script message handler named `binge`). A WeChat
 * mini-program web-view is recognised by the JSSDK's `wx.miniProgram`, by `__wxjs_environment`
 * (set by WeChat, possibly only after WeixinJSBridgeReady) or by `miniProgram` in its user agent.
 */
export function detectShell(win: BridgeWindow): Shell {
  const android = win.BingeAndroid;
  if (android && typeof android.postMessage === 'function') {
    return { kind: 'android', post: (text) => android.postMessage(text) };
  }
  const handler = win.webkit?.messageHandlers?.binge;
  if (handler && typeof handler.postMessage === 'function') {
    // Text, not an object: the Swift side decodes one JSON string, like the Kotlin side does.
    return { kind: 'ios', post: (text) => handler.postMessage(text) };
  }
  const miniProgram = win.wx?.miniProgram;
  const hasSdk = !!miniProgram && typeof miniProgram.navigateTo === 'function';
  if (
    hasSdk ||
    win.__wxjs_environment === 'miniprogram' ||
    /miniProgram/i.test(win.navigator.userAgent ?? '')
  ) {
    return { kind: 'wechat', miniProgram: hasSdk ? miniProgram : null };
  }
  return { kind: 'browser' };
}
