import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  createShellSimulator,
  type ShellSimulator,
} from '../../mobile-webview/src/shell-simulator.ts';

/**
 * The page side of the webview bridge in Debian's Chromium: once as a plain browser (every
 * capability falls back to a web API or a coded answer), once with the reference shell simulator
 * attached the way a real shell attaches (a global defined before the page runs, its messages
 * forwarded to Node by `exposeBinding`, answers delivered through `window.__bingeBridge.receive`).
 *
 * The whole platform is not needed: a minimal page loads the bridge module bundled by esbuild (the
 * bundler tsx and Vite already run on), so this tests the bridge and not the feed around it.
 */
const repoRoot = path.resolve(import.meta.dirname, '../..');
const insecureHost = 'insecure.bridge.test';
const chromiumArgs = [
  `--host-resolver-rules=MAP ${insecureHost} 127.0.0.1`,
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** What the in-page callbacks read, typed by shape (the repository's tsconfig has no DOM lib). */
interface PageBridge {
  shell: string;
  request(kind: string, payload: unknown): Promise<unknown>;
  purchase(item: unknown): Promise<unknown>;
  share(content: unknown): Promise<unknown>;
  networkType(): Promise<unknown>;
  haptic(style: string): Promise<unknown>;
  safeArea(): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  onRefused(listener: (error: { code: string; message: string }) => void): () => void;
}
interface PageGlobal {
  BingeBridgeUnderTest: {
    bridge(): PageBridge;
    createBridge(win: unknown, options?: unknown): PageBridge;
  };
  __bingeBridge: { receive(message: unknown): void };
  __shellPost(text: unknown): Promise<void>;
  seen: { events: unknown[]; refused: string[] };
  bridgeUnderTest: PageBridge;
  document: {
    documentElement: { getAttribute(name: string): string | null };
    visibilityState: string;
    dispatchEvent(event: unknown): boolean;
  };
  navigator: { clipboard: { readText(): Promise<string> }; share?: unknown };
  Event: new (type: string) => unknown;
}

async function bundleBridge(): Promise<string> {
  const result = await build({
    stdin: {
      contents: [
        "export { bridge, createBridge } from './web/src/lib/bridge/bridge.ts';",
        "export { BridgeError } from './web/src/lib/bridge/bridge-error.ts';",
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'BingeBridgeUnderTest',
    platform: 'browser',
    target: 'chrome110',
    write: false,
  });
  return result.outputFiles[0]!.text;
}

const pageHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>bridge</title><script src="/bridge.js"></script></head><body></body></html>`;

describe('webview bridge in Chromium', () => {
  let server: Server;
  let origin: string;
  let browser: Browser;

  before(
    async () => {
      const script = await bundleBridge();
      server = createServer((request, response) => {
        if (request.url === '/bridge.js') {
          response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
        } else if (request.url === '/') {
          response.writeHead(200, { 'content-type': 'text/html' }).end(pageHtml);
        } else response.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    },
    { timeout: 60_000 },
  );

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** A fresh page that records uncaught errors. */
  async function openPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    return { page, errors };
  }

  test('outside a webview every capability falls back cleanly', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    try {
      const { page, errors } = await openPage(context);
      await page.goto(origin);
      const outcome = await page.evaluate(async () => {
        const g = globalThis as unknown as PageGlobal;
        const bridge = g.BingeBridgeUnderTest.bridge();
        // No named inner functions: tsx would wrap them in a helper the page does not have.
        const content = { title: 'Ep 1', text: '好看', url: 'https://binge.example/watch/1' };
        const outcomes: Record<string, unknown> = {};
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['purchase', () => bridge.purchase({ type: 'episode', episodeId: 1 })],
          ['share', () => bridge.share(content)],
          ['network', () => bridge.networkType()],
          ['haptic', () => bridge.haptic('success')],
          ['safeArea', () => bridge.safeArea()],
          ['badPayload', () => bridge.haptic('earthquake')],
        ];
        for (const [name, call] of calls) {
          outcomes[name] = await call().then(
            (result) => ({ result }),
            (error: { name: string; code: string }) => ({ error: `${error.name}:${error.code}` }),
          );
        }
        return {
          shell: bridge.shell,
          marked: g.document.documentElement.getAttribute('data-binge-shell'),
          hasWebShare: typeof g.navigator.share === 'function',
          clipboard: await g.navigator.clipboard.readText().catch(() => null),
          ...(outcomes as Record<
            'purchase' | 'share' | 'network' | 'haptic' | 'safeArea' | 'badPayload',
            Record<string, unknown>
          >),
        };
      });
      assert.equal(outcome.shell, 'browser');
      assert.equal(outcome.marked, 'browser', '<html data-binge-shell> marks the shell');
      assert.deepEqual(outcome.purchase, {
        result: { status: 'unavailable', code: 'PURCHASE_UNAVAILABLE', checkout: 'web' },
      });
      if (outcome.hasWebShare) {
        assert.ok('result' in outcome.share || 'error' in outcome.share, JSON.stringify(outcome));
      } else {
        // Linux Chromium has no Web Share: the link goes to the clipboard.
        assert.deepEqual(outcome.share, { result: { status: 'copied' } });
        assert.equal(outcome.clipboard, 'https://binge.example/watch/1');
      }
      assert.ok('result' in outcome.network, JSON.stringify(outcome.network));
      const network = (outcome.network as { result: { type: string; effectiveType?: string } })
        .result;
      assert.ok(['wifi', 'cellular', 'ethernet', 'none', 'unknown'].includes(network.type));
      // Desktop Chromium exposes effectiveType but not the connection type.
      assert.ok(
        ['slow-2g', '2g', '3g', '4g'].includes(network.effectiveType ?? ''),
        JSON.stringify(network),
      );
      const haptic = outcome.haptic as { result: { status: string } };
      assert.ok(['performed', 'unsupported'].includes(haptic.result.status));
      assert.deepEqual(outcome.safeArea, { result: { top: 0, right: 0, bottom: 0, left: 0 } });
      assert.deepEqual(outcome.badPayload, { error: 'BridgeError:INVALID_PAYLOAD' });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('outside a webview, on plain http share has nothing to use and answers a code', async () => {
    const context = await browser.newContext();
    try {
      const { page, errors } = await openPage(context);
      // A host name that is not localhost over http is not a secure context: Chromium exposes
      // neither the Clipboard API nor Web Share there.
      await page.goto(origin.replace('127.0.0.1', insecureHost));
      const outcome = await page.evaluate(async () => {
        const g = globalThis as unknown as PageGlobal & { isSecureContext: boolean };
        const bridge = g.BingeBridgeUnderTest.createBridge(globalThis);
        const share = await bridge
          .share({ title: 't', text: '', url: 'https://binge.example/' })
          .then(
            (result) => JSON.stringify(result),
            (error: { name: string; code: string }) => `${error.name}:${error.code}`,
          );
        return { secure: g.isSecureContext, share, network: await bridge.networkType() };
      });
      assert.equal(outcome.secure, false);
      assert.equal(outcome.share, 'BridgeError:SHARE_UNAVAILABLE');
      assert.equal(typeof (outcome.network as { type: string }).type, 'string');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('outside a webview, appState follows the page visibility', async () => {
    const context = await browser.newContext();
    try {
      const { page, errors } = await openPage(context);
      await page.goto(origin);
      const states = await page.evaluate(() => {
        const g = globalThis as unknown as PageGlobal;
        const bridge = g.BingeBridgeUnderTest.createBridge(globalThis);
        const seen: unknown[] = [];
        bridge.on('appState', (payload) => seen.push(payload));
        // Headless Chromium keeps its one tab visible; play the transitions a tab switch makes.
        for (const state of ['hidden', 'visible']) {
          Object.defineProperty(g.document, 'visibilityState', {
            value: state,
            configurable: true,
          });
          g.document.dispatchEvent(new g.Event('visibilitychange'));
        }
        return seen;
      });
      assert.deepEqual(states, [{ state: 'background' }, { state: 'foreground' }]);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  for (const platform of ['android', 'ios'] as const) {
    test(`inside a ${platform} shell: requests round-trip, events arrive, bad messages are refused`, async () => {
      const context = await browser.newContext();
      try {
        const { page, errors } = await openPage(context);
        const shell: ShellSimulator = createShellSimulator({
          platform,
          deliver: async (text) => {
            await page.evaluate(
              (message) => (globalThis as unknown as PageGlobal).__bingeBridge.receive(message),
              text,
            );
          },
        });
        await page.exposeBinding('__shellPost', (_source, text: unknown) => {
          void shell.receive(text);
        });
        // Plain text, not a function: what a shell injects at document start, untouched by tsx.
        await page.addInitScript({
          content:
            platform === 'android'
              ? 'window.BingeAndroid = { postMessage: function (t) { window.__shellPost(t); } };'
              : 'window.webkit = { messageHandlers: { binge: { postMessage: function (t) { window.__shellPost(t); } } } };',
        });
        await page.goto(origin);
        await page.evaluate(() => {
          const g = globalThis as unknown as PageGlobal;
          g.bridgeUnderTest = g.BingeBridgeUnderTest.createBridge(globalThis);
          g.seen = { events: [], refused: [] };
          for (const name of ['appState', 'screenRecording', 'networkChange', 'safeAreaChange']) {
            g.bridgeUnderTest.on(name, (payload) => g.seen.events.push({ name, payload }));
          }
          g.bridgeUnderTest.onRefused((error) => g.seen.refused.push(error.code));
        });

        const results = await page.evaluate(async () => {
          const bridge = (globalThis as unknown as PageGlobal).bridgeUnderTest;
          return {
            shell: bridge.shell,
            purchase: await bridge.purchase({
              type: 'coins',
              packId: 'coins_60',
              orderRef: 'ord_7',
            }),
            share: await bridge.share({ title: 'Ep', text: '', url: 'https://binge.example/w/2' }),
            network: await bridge.networkType(),
            haptic: await bridge.haptic('light'),
            safeArea: await bridge.safeArea(),
          };
        });
        assert.equal(results.shell, platform);
        assert.deepEqual(results.purchase, {
          status: 'purchased',
          store: platform === 'ios' ? 'apple' : 'google',
          receipt: `${platform === 'ios' ? 'apple' : 'google'}-sim-receipt-1`,
          orderId: 'ord_7',
        });
        assert.deepEqual(results.share, { status: 'shared' });
        assert.deepEqual(results.network, { type: 'wifi' });
        assert.deepEqual(results.haptic, { status: 'performed' });
        assert.deepEqual(
          results.safeArea,
          platform === 'ios'
            ? { top: 59, right: 0, bottom: 34, left: 0 }
            : { top: 24, right: 0, bottom: 16, left: 0 },
        );
        assert.deepEqual(
          shell.requests.map((request) => request.kind),
          ['purchase', 'share', 'networkType', 'haptic', 'safeArea'],
        );

        await shell.emit('appState', { state: 'background' });
        await shell.emit('screenRecording', { active: true });
        await shell.sendRaw('{"v":1,"event":"appState","payload":{"state":"napping"}}');
        await shell.sendRaw('<html>not json</html>');
        await shell.sendRaw(
          JSON.stringify({ v: 2, event: 'appState', payload: { state: 'background' } }),
        );
        await shell.sendRaw(JSON.stringify({ v: 1, re: 'nobody', ok: true, result: {} }));
        await shell.emit('networkChange', {
          type: 'cellular',
          effectiveType: '4g',
          saveData: true,
        });
        await shell.emit('safeAreaChange', { top: 0, right: 47, bottom: 21, left: 47 });
        await shell.emit('appState', { state: 'foreground' });

        const seen = await page.evaluate(() => (globalThis as unknown as PageGlobal).seen);
        assert.deepEqual(seen.events, [
          { name: 'appState', payload: { state: 'background' } },
          { name: 'screenRecording', payload: { active: true } },
          {
            name: 'networkChange',
            payload: { type: 'cellular', effectiveType: '4g', saveData: true },
          },
          { name: 'safeAreaChange', payload: { top: 0, right: 47, bottom: 21, left: 47 } },
          { name: 'appState', payload: { state: 'foreground' } },
        ]);
        const refusedCodes = [
          'INVALID_PAYLOAD',
          'BAD_MESSAGE',
          'UNSUPPORTED_VERSION',
          'UNKNOWN_REQUEST',
        ];
        assert.deepEqual(seen.refused, refusedCodes);
        // The refusal notices travel back to the shell; wait for the bindings to land.
        const deadline = Date.now() + 5_000;
        while (shell.refusals.length < refusedCodes.length && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.deepEqual(
          shell.refusals.map((refusal) => refusal.code),
          refusedCodes,
        );

        // After the garbage, the bridge still answers.
        const after = await page.evaluate(() =>
          (globalThis as unknown as PageGlobal).bridgeUnderTest.haptic('error'),
        );
        assert.deepEqual(after, { status: 'performed' });
        assert.deepEqual(shell.malformed, [], 'the page never posted anything the shell refused');
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }
});
