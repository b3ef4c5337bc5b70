import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  browserHaptic,
  browserNetwork,
  browserShare,
  measureSafeArea,
  vibrationPatterns,
} from './browser-capabilities.ts';
import type { BridgeWindow } from './bridge-window.ts';

const content = { title: 'Ep 3', text: '追剧', url: 'https://b.example/watch/3' };

test('share: Web Share first; AbortError is a cancel; other failures fall to the clipboard', async () => {
  const shared: unknown[] = [];
  assert.deepEqual(await browserShare({ share: async (data) => void shared.push(data) }, content), {
    status: 'shared',
  });
  assert.deepEqual(shared, [content]);

  const abort = Object.assign(new Error('closed'), { name: 'AbortError' });
  assert.deepEqual(await browserShare({ share: () => Promise.reject(abort) }, content), {
    status: 'cancelled',
  });

  const copied: string[] = [];
  const notAllowed = Object.assign(new Error('no activation'), { name: 'NotAllowedError' });
  assert.deepEqual(
    await browserShare(
      {
        share: () => Promise.reject(notAllowed),
        clipboard: { writeText: async (text) => void copied.push(text) },
      },
      content,
    ),
    { status: 'copied' },
  );
  assert.deepEqual(copied, [content.url]);

  // canShare saying no skips the sheet.
  assert.deepEqual(
    await browserShare(
      {
        share: () => Promise.reject(new Error('must not be called')),
        canShare: () => false,
        clipboard: { writeText: async () => {} },
      },
      content,
    ),
    { status: 'copied' },
  );
});

test('share: no sheet and a refusing clipboard give SHARE_UNAVAILABLE', async () => {
  await assert.rejects(
    browserShare({ clipboard: { writeText: () => Promise.reject(new Error('denied')) } }, content),
    { name: 'BridgeError', code: 'SHARE_UNAVAILABLE' },
  );
});

test('network: Network Information API mapped to the protocol, offline is none', () => {
  assert.deepEqual(
    browserNetwork({ connection: { type: 'wifi', effectiveType: '4g', saveData: false } }),
    { type: 'wifi', effectiveType: '4g', saveData: false },
  );
  assert.deepEqual(browserNetwork({ connection: { type: 'bluetooth' } }), { type: 'unknown' });
  assert.deepEqual(browserNetwork({ connection: { effectiveType: '3g', saveData: true } }), {
    type: 'unknown',
    effectiveType: '3g',
    saveData: true,
  });
  assert.deepEqual(browserNetwork({ connection: { effectiveType: '9g' } }), { type: 'unknown' });
  assert.deepEqual(browserNetwork({ onLine: false, connection: { type: 'wifi' } }), {
    type: 'none',
  });
  assert.deepEqual(browserNetwork({}), { type: 'unknown' });
});

test('haptic: vibrate with the style pattern; blocked or missing is unsupported', () => {
  const patterns: unknown[] = [];
  assert.deepEqual(
    browserHaptic({ vibrate: (pattern) => (patterns.push(pattern), true) }, 'error'),
    { status: 'performed' },
  );
  assert.deepEqual(patterns, [vibrationPatterns.error]);
  assert.deepEqual(browserHaptic({ vibrate: () => false }, 'light'), { status: 'unsupported' });
  assert.deepEqual(browserHaptic({}, 'light'), { status: 'unsupported' });
  assert.deepEqual(
    browserHaptic(
      {
        vibrate: () => {
          throw new Error('no');
        },
      },
      'heavy',
    ),
    { status: 'unsupported' },
  );
});

test('safe area: the probe reads env() through padding and is removed again', () => {
  const appended: unknown[] = [];
  let removed = 0;
  const probe = { style: { cssText: '' }, remove: () => void (removed += 1) };
  const win = {
    navigator: {},
    document: {
      body: { appendChild: (element: unknown) => appended.push(element) },
      createElement: () => probe,
      addEventListener() {},
      removeEventListener() {},
    },
    getComputedStyle: () => ({
      paddingTop: '47px',
      paddingRight: '0px',
      paddingBottom: '34.5px',
      paddingLeft: 'garbage',
    }),
    setTimeout: () => 0,
    clearTimeout() {},
    addEventListener() {},
    removeEventListener() {},
  } as unknown as BridgeWindow;
  assert.deepEqual(measureSafeArea(win), { top: 47, right: 0, bottom: 34.5, left: 0 });
  assert.deepEqual(appended, [probe]);
  assert.equal(removed, 1);
  assert.match(probe.style.cssText, /env\(safe-area-inset-bottom/);
});
