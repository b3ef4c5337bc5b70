import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodePageMessage,
  encodeEvent,
  encodeFailure,
  encodeSuccess,
  type BridgeRequest,
  type RefusedNotice,
} from '@binge/core/protocol/webview-bridge';
import { bridge, createBridge } from './bridge.ts';
import { BridgeError } from './bridge-error.ts';
import type { BridgeWindow, MessageEventLike, NavigatorLike } from './bridge-window.ts';

type Listener = (event: MessageEventLike) => void;

/**
 * Compile-time: the real window satisfies the shape bridge() hands to createBridge. svelte-check
 * sees the DOM library in this file; the bridge itself is written without it.
 */
type RealWindowFits = Window extends BridgeWindow ? 'fits' : never;
const realWindowFits: RealWindowFits = 'fits';

/** A window with manual timers and recorded listeners; shells are added per test. */
function fakeWindow(navigator: NavigatorLike = {}) {
  const timers = new Map<number, { at: number; callback: () => void }>();
  const windowListeners = new Map<string, Set<Listener>>();
  const documentListeners = new Map<string, Set<Listener>>();
  let now = 0;
  let nextTimer = 1;
  const add = (table: Map<string, Set<Listener>>) => (type: string, listener: Listener) => {
    if (!table.has(type)) table.set(type, new Set());
    table.get(type)!.add(listener);
  };
  const remove = (table: Map<string, Set<Listener>>) => (type: string, listener: Listener) =>
    table.get(type)?.delete(listener);
  const document = {
    visibilityState: 'visible',
    body: null,
    createElement: () => ({ style: { cssText: '' }, remove() {} }),
    addEventListener: add(documentListeners),
    removeEventListener: remove(documentListeners),
  };
  const win: BridgeWindow = {
    navigator,
    document,
    setTimeout(callback, ms) {
      const id = nextTimer++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    addEventListener: add(windowListeners),
    removeEventListener: remove(windowListeners),
  };
  return {
    win,
    document,
    advance(ms: number) {
      now += ms;
      for (const [id, timer] of [...timers]) {
        if (timer.at <= now) {
          timers.delete(id);
          timer.callback();
        }
      }
    },
    timerCount: () => timers.size,
    fire(target: 'window' | 'document', type: string, event: MessageEventLike = {}) {
      const table = target === 'window' ? windowListeners : documentListeners;
      for (const listener of [...(table.get(type) ?? [])]) listener(event);
    },
    listenerCount(target: 'window' | 'document', type: string) {
      return (target === 'window' ? windowListeners : documentListeners).get(type)?.size ?? 0;
    },
  };
}

/** An Android shell that records what the page posts, decoded by the native-side decoder. */
function withAndroid(fake: ReturnType<typeof fakeWindow>) {
  const requests: BridgeRequest[] = [];
  const notices: RefusedNotice['refused'][] = [];
  const raw: string[] = [];
  fake.win.BingeAndroid = {
    postMessage(text: string) {
      raw.push(text);
      const decoded = decodePageMessage(text);
      assert.ok(decoded.ok, `the page posted a valid message: ${text}`);
      if (decoded.message.type === 'request') requests.push(decoded.message.request);
      else notices.push(decoded.message.refused);
    },
  };
  return { requests, notices, raw };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('Android: a request is posted as text and its reply resolves it', async () => {
  const fake = fakeWindow();
  const android = withAndroid(fake);
  const bridge = createBridge(fake.win, { nextId: () => 'r1' });
  assert.equal(bridge.shell, 'android');
  const pending = bridge.share({ title: 'Ep 1', text: '好看', url: 'https://b.example/w/1' });
  assert.equal(android.requests.length, 1);
  assert.deepEqual(android.requests[0], {
    v: 1,
    id: 'r1',
    kind: 'share',
    payload: { title: 'Ep 1', text: '好看', url: 'https://b.example/w/1' },
  });
  fake.win.__bingeBridge!.receive(encodeSuccess('r1', 'share', { status: 'shared' }));
  assert.deepEqual(await pending, { status: 'shared' });
  assert.equal(fake.timerCount(), 0, 'the timeout was cleared');
});

test('iOS: WKWebView handler gets the same text; a native error rejects with its code', async () => {
  const fake = fakeWindow();
  const posted: unknown[] = [];
  fake.win.webkit = { messageHandlers: { binge: { postMessage: (m) => posted.push(m) } } };
  const bridge = createBridge(fake.win, { nextId: () => 'p1' });
  assert.equal(bridge.shell, 'ios');
  const pending = bridge.purchase({ type: 'coins', packId: 'coins_60' });
  assert.equal(typeof posted[0], 'string');
  bridge.receive({ v: 1, re: 'p1', ok: false, error: { code: 'STORE_DOWN', message: 'no store' } });
  await assert.rejects(pending, (error: unknown) => {
    assert.ok(error instanceof BridgeError);
    assert.equal(error.code, 'STORE_DOWN');
    assert.equal(error.fromNative, true);
    return true;
  });
});

test('timeouts reject with TIMEOUT; a late reply is then refused as UNKNOWN_REQUEST', async () => {
  const fake = fakeWindow();
  const android = withAndroid(fake);
  const refused: string[] = [];
  const bridge = createBridge(fake.win, { nextId: () => 'n1', timeoutsMs: { networkType: 100 } });
  bridge.onRefused((error) => refused.push(error.code));
  const pending = bridge.networkType();
  fake.advance(99);
  await tick();
  fake.advance(1);
  await assert.rejects(pending, { name: 'BridgeError', code: 'TIMEOUT' });
  bridge.receive(encodeSuccess('n1', 'networkType', { type: 'wifi' }));
  assert.deepEqual(refused, ['UNKNOWN_REQUEST']);
  assert.equal(android.notices[0]?.code, 'UNKNOWN_REQUEST');
  assert.equal(android.notices[0]?.re, 'n1');
});

test('a duplicate reply is ignored: the first answer stands', async () => {
  const fake = fakeWindow();
  withAndroid(fake);
  const bridge = createBridge(fake.win, { nextId: () => 'd1' });
  const pending = bridge.haptic('light');
  bridge.receive(encodeSuccess('d1', 'haptic', { status: 'performed' }));
  bridge.receive(encodeSuccess('d1', 'haptic', { status: 'unsupported' }));
  assert.deepEqual(await pending, { status: 'performed' });
});

test('a reply with the wrong result shape fails its request at once, not at the timeout', async () => {
  const fake = fakeWindow();
  const android = withAndroid(fake);
  const bridge = createBridge(fake.win, { nextId: () => 's1' });
  const pending = bridge.safeArea();
  bridge.receive(encodeSuccess('s1', 'networkType', { type: 'wifi' }));
  await assert.rejects(pending, { code: 'INVALID_PAYLOAD' });
  assert.equal(android.notices[0]?.code, 'INVALID_PAYLOAD');
});

test('malformed native messages are refused with codes and later ones still work', async () => {
  const fake = fakeWindow();
  const android = withAndroid(fake);
  const bridge = createBridge(fake.win, { nextId: () => 'ok1' });
  const refused: string[] = [];
  bridge.onRefused((error) => refused.push(error.code));
  const states: string[] = [];
  bridge.on('appState', ({ state }) => states.push(state));
  for (const message of [
    '{oops',
    '"just a string"',
    JSON.stringify({ v: 9, event: 'appState', payload: { state: 'background' } }),
    JSON.stringify({ v: 1, event: 'volcano', payload: {} }),
    JSON.stringify({ v: 1, event: 'appState', payload: { state: 'sleeping' } }),
    'x'.repeat(40_000),
    12,
  ]) {
    assert.doesNotThrow(() => bridge.receive(message));
  }
  assert.deepEqual(refused, [
    'BAD_MESSAGE',
    'BAD_MESSAGE',
    'UNSUPPORTED_VERSION',
    'UNKNOWN_EVENT',
    'INVALID_PAYLOAD',
    'MESSAGE_TOO_LARGE',
    'BAD_MESSAGE',
  ]);
  assert.deepEqual(
    android.notices.map((notice) => notice.code),
    refused,
    'the shell hears every refusal',
  );
  bridge.receive(encodeEvent('appState', { state: 'background' }));
  const pending = bridge.networkType();
  bridge.receive(encodeSuccess('ok1', 'networkType', { type: 'cellular', effectiveType: '4g' }));
  assert.deepEqual(states, ['background']);
  assert.deepEqual(await pending, { type: 'cellular', effectiveType: '4g' });
});

test('events reach every listener; unsubscribing and a throwing listener do not disturb others', () => {
  const fake = fakeWindow();
  withAndroid(fake);
  const bridge = createBridge(fake.win);
  const seen: string[] = [];
  const stop = bridge.on('screenRecording', ({ active }) => seen.push(`a:${active}`));
  bridge.on('screenRecording', () => {
    throw new Error('listener bug');
  });
  bridge.on('screenRecording', ({ active }) => seen.push(`c:${active}`));
  bridge.receive(encodeEvent('screenRecording', { active: true }));
  stop();
  bridge.receive(encodeEvent('screenRecording', { active: false }));
  assert.deepEqual(seen, ['a:true', 'c:true', 'c:false']);
  // The listener's own error is rethrown from a timer of its own.
  assert.throws(() => fake.advance(0), /listener bug/);
});

test('window message events carrying bridge text are received; other messages are ignored', async () => {
  const fake = fakeWindow();
  withAndroid(fake);
  const bridge = createBridge(fake.win, { nextId: () => 'm1' });
  const refused: string[] = [];
  bridge.onRefused((error) => refused.push(error.code));
  const pending = bridge.safeArea();
  fake.fire('window', 'message', { data: 'hello from an iframe' });
  fake.fire('window', 'message', { data: { type: 'webpackOk' } });
  fake.fire('window', 'message', {
    data: encodeSuccess('m1', 'safeArea', { top: 47, right: 0, bottom: 34, left: 0 }),
  });
  assert.deepEqual(await pending, { top: 47, right: 0, bottom: 34, left: 0 });
  assert.deepEqual(refused, []);
});

test('an older shell that does not know a kind falls back to the browser engine', async () => {
  const fake = fakeWindow({ vibrate: () => true });
  const android = withAndroid(fake);
  const bridge = createBridge(fake.win, { nextId: () => 'h1' });
  const pending = bridge.haptic('success');
  bridge.receive(encodeFailure('h1', { code: 'UNKNOWN_KIND', message: 'haptic' }));
  assert.deepEqual(await pending, { status: 'performed' });
  assert.equal(android.requests.length, 1);
});

test('bad payloads are refused on the page before anything is posted', async () => {
  const fake = fakeWindow();
  const android = withAndroid(fake);
  const bridge = createBridge(fake.win);
  await assert.rejects(bridge.haptic('earthquake' as never), { code: 'INVALID_PAYLOAD' });
  await assert.rejects(bridge.share({ title: 't', text: 't', url: 'file:///etc/passwd' }), {
    code: 'INVALID_PAYLOAD',
  });
  assert.equal(android.raw.length, 0);
});

test('a shell whose postMessage throws answers NO_SHELL; dispose rejects what is pending', async () => {
  const fake = fakeWindow();
  fake.win.BingeAndroid = {
    postMessage() {
      throw new Error('interface removed');
    },
  };
  const broken = createBridge(fake.win);
  await assert.rejects(broken.networkType(), { code: 'NO_SHELL' });
  broken.dispose();

  const other = fakeWindow();
  withAndroid(other);
  const bridge = createBridge(other.win);
  const pending = bridge.purchase({ type: 'sku', sku: 'vip.month' });
  assert.equal(other.listenerCount('window', 'message'), 1);
  bridge.dispose();
  await assert.rejects(pending, { code: 'DISPOSED' });
  await assert.rejects(bridge.networkType(), { code: 'DISPOSED' });
  assert.equal(other.win.__bingeBridge, undefined);
  assert.equal(other.listenerCount('window', 'message'), 0);
  assert.equal(other.timerCount(), 0);
});

test('browser: purchase answers PURCHASE_UNAVAILABLE, appState follows visibilitychange', async () => {
  const fake = fakeWindow({ onLine: true });
  const bridge = createBridge(fake.win);
  assert.equal(bridge.shell, 'browser');
  assert.deepEqual(await bridge.purchase({ type: 'episode', episodeId: 7 }), {
    status: 'unavailable',
    code: 'PURCHASE_UNAVAILABLE',
    checkout: 'web',
  });
  assert.deepEqual(await bridge.networkType(), { type: 'unknown' });
  assert.deepEqual(await bridge.haptic('light'), { status: 'unsupported' });
  assert.deepEqual(await bridge.safeArea(), { top: 0, right: 0, bottom: 0, left: 0 });
  await assert.rejects(bridge.share({ title: 't', text: '', url: 'https://b.example/' }), {
    code: 'SHARE_UNAVAILABLE',
  });

  const states: string[] = [];
  const stop = bridge.on('appState', ({ state }) => states.push(state));
  fake.document.visibilityState = 'hidden';
  fake.fire('document', 'visibilitychange');
  fake.fire('document', 'visibilitychange');
  fake.document.visibilityState = 'visible';
  fake.fire('document', 'visibilitychange');
  assert.deepEqual(states, ['background', 'foreground']);
  stop();
  assert.equal(fake.listenerCount('document', 'visibilitychange'), 0);
});

test('browser: the shell is looked for again, so a late WeChat environment is found', () => {
  const fake = fakeWindow();
  const bridge = createBridge(fake.win);
  assert.equal(bridge.shell, 'browser');
  fake.win.__wxjs_environment = 'miniprogram';
  assert.equal(bridge.shell, 'wechat');
});

test('bridge() refuses to run during server rendering', () => {
  assert.equal(realWindowFits, 'fits');
  assert.throws(() => bridge(), { name: 'BridgeError', code: 'NO_SHELL' });
});

test('WeChat web-view: purchase opens the pay page, share is deferred, network from the UA', async () => {
  const fake = fakeWindow({ userAgent: 'Mozilla/5.0 MicroMessenger/8.0 NetType/WIFI miniProgram' });
  const urls: string[] = [];
  fake.win.wx = {
    miniProgram: {
      navigateTo: (options) => {
        urls.push(options.url);
        options.success?.();
      },
      postMessage: () => {},
    },
  };
  const bridge = createBridge(fake.win, { wechatPayPage: '/pages/unlock/unlock' });
  assert.equal(bridge.shell, 'wechat');
  assert.deepEqual(await bridge.purchase({ type: 'episode', episodeId: 5 }), {
    status: 'pending',
    store: 'wechat',
  });
  assert.deepEqual(urls, ['/pages/unlock/unlock?type=episode&episodeId=5']);
  assert.deepEqual(await bridge.share({ title: 't', text: '', url: 'https://b.example/' }), {
    status: 'deferred',
  });
  assert.deepEqual(await bridge.networkType(), { type: 'wifi' });
  const noSdk = fakeWindow({ userAgent: 'MicroMessenger miniProgram' });
  await assert.rejects(createBridge(noSdk.win).purchase({ type: 'sku', sku: 'x' }), {
    code: 'WECHAT_SDK_MISSING',
  });
});
