import type {
  NetworkInfo,
  PurchaseRequest,
  PurchaseResult,
  ShareRequest,
  ShareResult,
} from '@binge/core/protocol/webview-bridge';
import { BridgeError } from './bridge-error.ts';
import type { WxMiniProgram } from './bridge-window.ts';

/**
 * A WeChat mini-program `<web-view>` offers the page only navigation (`wx.miniProgram.navigateTo`
 * and friends) and `wx.miniProgram.postMessage`, which the mini-program receives in `bindmessage`
 * at three moments only: when the viewer shares, when the web-view is destroyed, or on back
 * navigation. There is no request/reply channel, so:
 *
 * - purchase navigates to the mini-program's own pay page (WeChat Pay cannot run inside a
 *   web-view); the page learns the outcome later from the server, so the result is `pending`;
 * - share posts the content for the mini-program's `onShareAppMessage` to use when the viewer
 *   taps its share menu: `deferred`;
 * - the rest falls back to what the browser engine offers.
 */

/** Where the mini-program's pay page lives; the mini-program must register this path. */
export const defaultWechatPayPage = '/pages/pay/pay';

export function wechatPayUrl(payPage: string, item: PurchaseRequest): string {
  const query: string[] = [`type=${item.type}`];
  if (item.type === 'episode') {
    query.push(`episodeId=${item.episodeId}`);
    if (item.sku) query.push(`sku=${encodeURIComponent(item.sku)}`);
  } else if (item.type === 'coins') query.push(`packId=${encodeURIComponent(item.packId)}`);
  else query.push(`sku=${encodeURIComponent(item.sku)}`);
  if (item.orderRef) query.push(`orderRef=${encodeURIComponent(item.orderRef)}`);
  return `${payPage}?${query.join('&')}`;
}

export function wechatPurchase(
  miniProgram: WxMiniProgram | null,
  payPage: string,
  item: PurchaseRequest,
): Promise<PurchaseResult> {
  if (!miniProgram) return Promise.reject(sdkMissing());
  return new Promise((resolve, reject) => {
    const result: PurchaseResult = item.orderRef
      ? { status: 'pending', store: 'wechat', orderId: item.orderRef }
      : { status: 'pending', store: 'wechat' };
    try {
      miniProgram.navigateTo({
        url: wechatPayUrl(payPage, item),
        success: () => resolve(result),
        fail: (error) =>
          reject(
            new BridgeError(
              'NAVIGATION_FAILED',
              `wx.miniProgram.navigateTo failed: ${String((error as { errMsg?: unknown } | null)?.errMsg ?? error).slice(0, 200)}`,
            ),
          ),
      });
    } catch (error) {
      reject(new BridgeError('NAVIGATION_FAILED', String(error).slice(0, 200)));
    }
  });
}

/** The message the mini-program's bindmessage receives (in `event.detail.data`, an array). */
export function wechatShareMessage(content: ShareRequest) {
  return { type: 'binge.share', v: 1, title: content.title, text: content.text, url: content.url };
}

export function wechatShare(miniProgram: WxMiniProgram, content: ShareRequest): ShareResult {
  try {
    miniProgram.postMessage({ data: wechatShareMessage(content) });
  } catch (error) {
    throw new BridgeError('SHARE_UNAVAILABLE', String(error).slice(0, 200));
  }
  return { status: 'deferred' };
}

/**
 * WeChat's user agent ends with `NetType/WIFI` (or 2G/3G/4G/5G), fixed when the web-view opened;
 * the JSSDK's getNetworkType needs a signed wx.config, which a plain embed does not have.
 */
export function wechatNetwork(userAgent: string): NetworkInfo | null {
  const netType = /NetType\/([A-Za-z0-9]+)/.exec(userAgent)?.[1]?.toUpperCase();
  if (!netType) return null;
  if (netType === 'WIFI') return { type: 'wifi' };
  const cellular: Record<string, NetworkInfo['effectiveType']> = {
    '2G': '2g',
    '3G': '3g',
    '4G': '4g',
    '5G': '5g',
  };
  if (netType in cellular) return { type: 'cellular', effectiveType: cellular[netType] };
  return null;
}

function sdkMissing(): BridgeError {
  return new BridgeError(
    'WECHAT_SDK_MISSING',
    'a mini-program web-view without the JSSDK (jweixin) cannot reach its pay page',
  );
}
