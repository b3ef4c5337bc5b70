import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBridge } from '@binge/web/src/lib/bridge/bridge.ts';
import type { BridgeWindow } from '@binge/web/src/lib/bridge/bridge-window.ts';
import {
  createShellSimulator,
  ShellFailure,
  type ShellSimulatorOptions,
} from './shell-simulator.ts';

/**
 * The page's bridge and the reference shell, wired as on a device: the page posts text to the
 * JavaScript interface, the shell answers through `window.__bingeBridge.receive`.
 */
function connect(
  platform: 'android' | 'ios',
  handlers?: ShellSimulatorOptions['handlers'],
  timeoutsMs?: Record<string, number>,
) {
  const win = {
    navigator: {},
    document: {
      createElement: () => ({ style: { cssText: '' }, remove() {} }),
      addEventListener() {},
      removeEventListener() {},
    },
    setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    addEventListener() {},
    removeEventListener() {},
  } as BridgeWindow;
  const shell = createShellSimulator({
    platform,
    handlers,
    deliver: (text) => win.__bingeBridge?.receive(text),
  });
  const post = (text: unknown) => void shell.receive(text);
  if (platform === 'android') win.BingeAndroid = { postMessage: post };
  else win.webkit = { messageHandlers: { binge: { postMessage: post } } };
  const bridge = createBridge(win, { timeoutsMs: timeoutsMs });
  return { shell, bridge, win };
}

test('every kind round-trips between the page bridge and the reference shell', async () => {
  for (const platform of ['android', 'ios'] as const) {
    const { shell, bridge } = connect(platform);
    assert.equal(bridge.shell, platform);
    const purchase = await bridge.purchase({ type: 'episode', episodeId: 3, orderRef: 'ord_3' });
    assert.equal(purchase.status, 'purchased');
    assert.ok(purchase.status === 'purchased' && purchase.orderId === 'ord_3');
    assert.deepEqual(await bridge.share({ title: 'a', text: 'b', url: 'https://b.example/' }), {
      status: 'shared',
    });
    assert.deepEqual(await bridge.networkType(), { type: 'wifi' });
    assert.deepEqual(await bridge.haptic('medium'), { status: 'performed' });
    assert.equal((await bridge.safeArea()).bottom, platform === 'ios' ? 34 : 16);
    assert.deepEqual(
      shell.requests.map((request) => request.kind),
      ['purchase', 'share', 'networkType', 'haptic', 'safeArea'],
    );
    assert.deepEqual(shell.malformed, []);
    bridge.dispose();
  }
});

test('a shell failure reaches the caller with its code; an unknown kind falls back', async () => {
  const { bridge } = connect('android', {
    purchase: () => {
      throw new ShellFailure('BILLING_UNAVAILABLE', 'Play Billing is not set up');
    },
    share: () => {
      throw new Error('NullPointerException');
    },
    haptic: null,
  });
  await assert.rejects(bridge.purchase({ type: 'sku', sku: 'vip.month' }), {
    code: 'BILLING_UNAVAILABLE',
    fromNative: true,
  });
  await assert.rejects(bridge.share({ title: '', text: '', url: 'https://b.example/' }), {
    code: 'NATIVE_ERROR',
  });
  // No haptic in this shell, no vibrate on this "browser": unsupported, not an error.
  assert.deepEqual(await bridge.haptic('heavy'), { status: 'unsupported' });
});

test('events arrive; malformed shell messages are refused and the shell hears why', async () => {
  const { shell, bridge } = connect('ios');
  const seen: unknown[] = [];
  bridge.on('screenRecording', (payload) => seen.push(payload));
  bridge.on('appState', (payload) => seen.push(payload));
  await shell.sendRaw('{"v":1,"event":"screenRecording","payload":{"active":"yes"}}');
  await shell.sendRaw('not json');
  await shell.emit('screenRecording', { active: true });
  await shell.emit('appState', { state: 'background' });
  assert.deepEqual(seen, [{ active: true }, { state: 'background' }]);
  assert.deepEqual(
    shell.refusals.map((refusal) => refusal.code),
    ['INVALID_PAYLOAD', 'BAD_MESSAGE'],
  );
  await assert.rejects(shell.emit('appState', { state: 'asleep' } as never), /appState/);
});

test('a shell that never answers makes the request time out', async () => {
  const { bridge } = connect(
    'android',
    { networkType: () => new Promise(() => {}) },
    {
      networkType: 50,
    },
  );
  await assert.rejects(bridge.networkType(), { code: 'TIMEOUT' });
});

test('the shell answers a malformed page message with a code when it can read the id', async () => {
  const delivered: string[] = [];
  const shell = createShellSimulator({
    platform: 'android',
    deliver: (text) => void delivered.push(text),
  });
  await shell.receive(JSON.stringify({ v: 1, id: 'x1', kind: 'teleport', payload: {} }));
  await shell.receive('garbage');
  assert.deepEqual(
    shell.malformed.map((failure) => failure.code),
    ['UNKNOWN_KIND', 'BAD_MESSAGE'],
  );
  assert.deepEqual(
    delivered.map((text) => JSON.parse(text)),
    [
      {
        v: 1,
        re: 'x1',
        ok: false,
        error: { code: 'UNKNOWN_KIND', message: 'unknown request kind teleport' },
      },
    ],
  );
});
