import type {
  BridgeEventName,
  BridgeEventPayloads,
  HapticResult,
  HapticStyle,
  NetworkInfo,
  PurchaseResult,
  SafeAreaInsets,
  ShareRequest,
  ShareResult,
} from '@binge/core/protocol/webview-bridge';
import { BridgeError } from './bridge-error.ts';
import type { BridgeWindow, NavigatorLike } from './bridge-window.ts';

/**
 * What each capability does in a plain browser (and, where the mini-program offers nothing, in a
 * WeChat web-view): the web platform's nearest equivalent, or an honest "unsupported".
 */

/** A browser has no in-app store: the viewer buys through the web checkout (issue 7's wallet). */
export const purchaseUnavailable: PurchaseResult = {
  status: 'unavailable',
  code: 'PURCHASE_UNAVAILABLE',
  checkout: 'web',
};

/** Web Share where the browser has it, else the link to the clipboard, else a coded error. */
export async function browserShare(
  nav: NavigatorLike,
  content: ShareRequest,
): Promise<ShareResult> {
  if (typeof nav.share === 'function') {
    const data = { title: content.title, text: content.text, url: content.url };
    let shareable = true;
    try {
      shareable = typeof nav.canShare !== 'function' || nav.canShare(data);
    } catch (_) {
      shareable = false;
    }
    if (shareable) {
      try {
        await nav.share(data);
        return { status: 'shared' };
      } catch (error) {
        // The viewer closed the sheet. Anything else (no user activation, a blocked type) falls
        // through to the clipboard.
        if ((error as { name?: unknown } | null)?.name === 'AbortError')
          return { status: 'cancelled' };
      }
    }
  }
  if (typeof nav.clipboard?.writeText === 'function') {
    try {
      await nav.clipboard.writeText(content.url);
      return { status: 'copied' };
    } catch (_) {
      // Clipboard refused (no permission, page not focused): nothing left to try.
    }
  }
  throw new BridgeError('SHARE_UNAVAILABLE', 'this browser can neither share nor copy the link');
}

const connectionTypes: Record<string, NetworkInfo['type']> = {
  wifi: 'wifi',
  cellular: 'cellular',
  ethernet: 'ethernet',
  none: 'none',
};
const effectiveTypes = new Set(['slow-2g', '2g', '3g', '4g']);

/**
 * The Network Information API: `type` only on Chromium for Android and ChromeOS, `effectiveType`
 * and `saveData` on Chromium generally; nothing at all on Safari and Firefox (then `unknown`).
 */
export function browserNetwork(nav: NavigatorLike): NetworkInfo {
  const connection = nav.connection;
  const info: NetworkInfo = {
    type: nav.onLine === false ? 'none' : (connectionTypes[connection?.type ?? ''] ?? 'unknown'),
  };
  if (connection?.effectiveType && effectiveTypes.has(connection.effectiveType)) {
    info.effectiveType = connection.effectiveType as NonNullable<NetworkInfo['effectiveType']>;
  }
  if (typeof connection?.saveData === 'boolean') info.saveData = connection.saveData;
  return info;
}

/** Short pulses for taps, patterns for outcomes, in the spirit of the iOS feedback generators. */
export const vibrationPatterns: Record<HapticStyle, number | number[]> = {
  light: 10,
  medium: 20,
  heavy: 35,
  success: [15, 60, 15],
  warning: [25, 80, 25],
  error: [35, 60, 35, 60, 35],
};

/** `navigator.vibrate` where it exists (Chromium on Android); iOS Safari has none: unsupported. */
export function browserHaptic(nav: NavigatorLike, style: HapticStyle): HapticResult {
  if (typeof nav.vibrate !== 'function') return { status: 'unsupported' };
  try {
    // False when the browser blocked it (no user activation yet, a device without a motor).
    return { status: nav.vibrate(vibrationPatterns[style]) ? 'performed' : 'unsupported' };
  } catch (_) {
    return { status: 'unsupported' };
  }
}

const probeCss =
  'position:fixed;top:0;left:0;width:0;height:0;visibility:hidden;pointer-events:none;' +
  'padding:env(safe-area-inset-top,0px) env(safe-area-inset-right,0px) ' +
  'env(safe-area-inset-bottom,0px) env(safe-area-inset-left,0px)';

function px(value: string | undefined): number {
  const parsed = Number.parseFloat(value ?? '');
  return Number.isFinite(parsed) && parsed > 0 ? Math.min(parsed, 2_000) : 0;
}

/**
 * CSS `env(safe-area-inset-*)`, measured by a hidden probe's padding. The insets are non-zero
 * only when the page's viewport meta has `viewport-fit=cover`; zero everywhere on desktops.
 */
export function measureSafeArea(win: BridgeWindow): SafeAreaInsets {
  const body = win.document.body;
  if (!body || typeof win.getComputedStyle !== 'function') {
    return { top: 0, right: 0, bottom: 0, left: 0 };
  }
  const probe = win.document.createElement('div');
  probe.style.cssText = probeCss;
  body.appendChild(probe as never);
  try {
    const style = win.getComputedStyle(probe as never);
    return {
      top: px(style.paddingTop),
      right: px(style.paddingRight),
      bottom: px(style.paddingBottom),
      left: px(style.paddingLeft),
    };
  } finally {
    probe.remove();
  }
}

function sameInsets(a: SafeAreaInsets, b: SafeAreaInsets): boolean {
  return a.top === b.top && a.right === b.right && a.bottom === b.bottom && a.left === b.left;
}

function appStateOf(win: BridgeWindow): BridgeEventPayloads['appState'] {
  return { state: win.document.visibilityState === 'hidden' ? 'background' : 'foreground' };
}

/**
 * Starts the browser source of one event and returns how to stop it. `screenRecording` has none:
 * no web API tells a page that the device's screen is being captured, so it never fires here.
 */
export function watchBrowserEvent<E extends BridgeEventName>(
  win: BridgeWindow,
  event: E,
  emit: (payload: BridgeEventPayloads[E]) => void,
): () => void {
  const send = emit as (payload: BridgeEventPayloads[BridgeEventName]) => void;
  switch (event) {
    case 'appState': {
      let last = appStateOf(win).state;
      const onVisibility = () => {
        const now = appStateOf(win);
        if (now.state === last) return;
        last = now.state;
        send(now);
      };
      win.document.addEventListener('visibilitychange', onVisibility);
      return () => win.document.removeEventListener('visibilitychange', onVisibility);
    }
    case 'networkChange': {
      const onChange = () => send(browserNetwork(win.navigator));
      const connection = win.navigator.connection;
      connection?.addEventListener?.('change', onChange);
      win.addEventListener('online', onChange);
      win.addEventListener('offline', onChange);
      return () => {
        connection?.removeEventListener?.('change', onChange);
        win.removeEventListener('online', onChange);
        win.removeEventListener('offline', onChange);
      };
    }
    case 'safeAreaChange': {
      let last = measureSafeArea(win);
      const onResize = () => {
        const now = measureSafeArea(win);
        if (sameInsets(now, last)) return;
        last = now;
        send(now);
      };
      win.addEventListener('resize', onResize);
      win.addEventListener('orientationchange', onResize);
      return () => {
        win.removeEventListener('resize', onResize);
        win.removeEventListener('orientationchange', onResize);
      };
    }
    default:
      return () => {};
  }
}
