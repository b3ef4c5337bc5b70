import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wechatNetwork, wechatPayUrl, wechatPurchase, wechatShare } from './wechat-mini-program.ts';
import type { WxMiniProgram } from './bridge-window.ts';

function miniProgram(outcome: 'success' | 'fail') {
  const urls: string[] = [];
  const posted: unknown[] = [];
  const api: WxMiniProgram = {
    navigateTo(options) {
      urls.push(options.url);
      if (outcome === 'success') options.success?.();
      else options.fail?.({ errMsg: 'navigateTo:fail page not found' });
    },
    postMessage: (options) => void posted.push(options.data),
  };
  return { api, urls, posted };
}

test('purchase navigates to the pay page with the item and answers pending', async () => {
  const wx = miniProgram('success');
  assert.deepEqual(
    await wechatPurchase(wx.api, '/pages/pay/pay', {
      type: 'episode',
      episodeId: 12,
      orderRef: 'ord_9',
    }),
    { status: 'pending', store: 'wechat', orderId: 'ord_9' },
  );
  assert.deepEqual(wx.urls, ['/pages/pay/pay?type=episode&episodeId=12&orderRef=ord_9']);
  assert.equal(
    wechatPayUrl('/p', { type: 'coins', packId: 'coins.60' }),
    '/p?type=coins&packId=coins.60',
  );
});

test('purchase: a refused navigation and a missing JSSDK are coded errors', async () => {
  await assert.rejects(
    wechatPurchase(miniProgram('fail').api, '/pages/pay/pay', { type: 'sku', sku: 'vip' }),
    { code: 'NAVIGATION_FAILED', message: /page not found/ },
  );
  await assert.rejects(wechatPurchase(null, '/pages/pay/pay', { type: 'sku', sku: 'vip' }), {
    code: 'WECHAT_SDK_MISSING',
  });
});

test('share posts the content for the mini-program share menu: deferred', () => {
  const wx = miniProgram('success');
  const content = { title: '第3集', text: '反转', url: 'https://b.example/watch/3' };
  assert.deepEqual(wechatShare(wx.api, content), { status: 'deferred' });
  assert.deepEqual(wx.posted, [{ type: 'binge.share', v: 1, ...content }]);
});

test('network type from the WeChat user agent', () => {
  const ua = (net: string) =>
    `Mozilla/5.0 (iPhone) MicroMessenger/8.0.50 NetType/${net} Language/zh_CN miniProgram`;
  assert.deepEqual(wechatNetwork(ua('WIFI')), { type: 'wifi' });
  assert.deepEqual(wechatNetwork(ua('4G')), { type: 'cellular', effectiveType: '4g' });
  assert.equal(wechatNetwork(ua('UNKNOWN')), null);
  assert.equal(wechatNetwork('Mozilla/5.0 Chrome/120'), null);
});
