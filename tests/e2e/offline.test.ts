import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { List, PlaybackInfo, SeriesDetail, SeriesSummary } from '@binge/core/protocol/catalog';
import { startPlatform, type Platform } from '../../bin/platform.ts';
import { getJson, waitFor } from '../support/polling.ts';
import { ensureWebBuild } from '../support/web-build.ts';

/**
 * The service worker of the production web build in Debian's Chromium against the embedded
 * platform: it installs and takes the page, saves a ready episode's start through its message
 * protocol (what lib/offline/offline-client.ts sends), serves that episode to hls.js with /media
 * and the key endpoint unreachable, answers navigations offline, evicts under a lowered cap and
 * empties the media cache from the settings page.
 */
const repoRoot = path.resolve(import.meta.dirname, '../..');
const hlsScript = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--autoplay-policy=no-user-gesture-required',
];
const MB = 1024 * 1024;
const mediaCache = 'media-v1';

interface Usage {
  bytes: number;
  entries: number;
  capBytes: number;
}
interface Precache {
  episodeId: number;
  rung: number | null;
  stored: number;
  bytes: number;
  segments: number;
  complete: boolean;
}
type Reply<T> = { ok: true; result: T } | { ok: false; code: string; message: string };

/** Browser globals the in-page callbacks use, typed by shape (the root tsconfig has no DOM lib). */
interface PortLike {
  onmessage: ((event: { data: unknown }) => void) | null;
}
interface PageGlobal {
  navigator: {
    serviceWorker: {
      controller: unknown;
      ready: Promise<{ active: { postMessage(message: unknown, transfer: unknown[]): void } }>;
    };
  };
  MessageChannel: new () => { port1: PortLike; port2: unknown };
  caches: {
    keys(): Promise<string[]>;
    open(name: string): Promise<{ keys(): Promise<Array<{ url: string }>> }>;
  };
  document: {
    createElement(tag: 'video'): VideoLike;
    body: { appendChild(node: unknown): void };
    querySelector(selector: string): VideoLike | null;
  };
  Hls: new () => {
    loadSource(url: string): void;
    attachMedia(video: VideoLike): void;
    on(
      event: string,
      listener: (event: string, data: { fatal: boolean; details: string }) => void,
    ): void;
  };
  hlsErrors: string[];
}
interface VideoLike {
  muted: boolean;
  currentTime: number;
  readyState: number;
  videoWidth: number;
  play(): Promise<void>;
}

/** One request to the service worker, exactly as offline-client.ts sends it. */
async function ask<T>(page: Page, message: Record<string, unknown>): Promise<Reply<T>> {
  return page.evaluate(async (request) => {
    const global = globalThis as unknown as PageGlobal;
    const registration = await global.navigator.serviceWorker.ready;
    const channel = new global.MessageChannel();
    return new Promise<Reply<T>>((resolve) => {
      channel.port1.onmessage = (event) => resolve(event.data as Reply<T>);
      registration.active.postMessage(request, [channel.port2]);
    });
  }, message);
}

async function ok<T>(page: Page, message: Record<string, unknown>): Promise<T> {
  const reply = await ask<T>(page, message);
  assert.ok(reply.ok, `${String(message.type)} failed: ${JSON.stringify(reply)}`);
  return reply.result;
}

async function cachedUrls(page: Page): Promise<string[]> {
  return page.evaluate(async (name) => {
    const global = globalThis as unknown as PageGlobal;
    if (!(await global.caches.keys()).includes(name)) return [];
    return (await (await global.caches.open(name)).keys()).map((request) => request.url);
  }, mediaCache);
}

/** What the media cache really holds, read from the page. */
async function cachedSize(page: Page): Promise<{ bytes: number; entries: number }> {
  return page.evaluate(async (name) => {
    const global = globalThis as unknown as {
      caches: {
        open(name: string): Promise<{
          keys(): Promise<unknown[]>;
          match(request: unknown): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | undefined>;
        }>;
      };
    };
    const cache = await global.caches.open(name);
    let bytes = 0;
    const keys = await cache.keys();
    for (const key of keys) bytes += (await (await cache.match(key))!.arrayBuffer()).byteLength;
    return { bytes, entries: keys.length };
  }, mediaCache);
}

describe('offline viewing: the service worker in Chromium', () => {
  let dataDir: string;
  let platform: Platform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Episode 1 of every series whose first episode is ready (free in the demo catalog). */
  let episodes: number[] = [];
  const browserErrors: string[] = [];

  const playback = (episodeId: number) =>
    getJson<PlaybackInfo>(`${platform.url}/api/v1/episodes/${episodeId}/playback`);

  before(
    async () => {
      ensureWebBuild();
      assert.ok(
        existsSync(path.join(repoRoot, 'web/build/client/service-worker.js')),
        'the build contains the service worker',
      );
      dataDir = await mkdtemp(path.join(tmpdir(), 'binge-e2e-offline-'));
      platform = await startPlatform({
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DEMO_SEED: 'true',
        DEMO_SCALE: 'tiny',
        LOG_LEVEL: 'warn',
      });
      // Five ready first episodes: one to play offline, the rest to fill the cache past a cap.
      episodes = await waitFor('five series whose episode 1 is ready', async () => {
        const list = await getJson<List<SeriesSummary>>(
          `${platform.url}/api/v1/lists/new?limit=50`,
        );
        const ready: number[] = [];
        for (const item of list.items.filter((summary) => summary.readyEpisodeCount > 0)) {
          const detail = await getJson<SeriesDetail>(`${platform.url}/api/v1/series/${item.id}`);
          const first = detail.episodes.find((episode) => episode.number === 1);
          if (first && first.status === 'ready' && first.isFree) ready.push(first.id);
        }
        return ready.length >= 5 ? ready : null;
      });
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
      context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      page = await context.newPage();
      page.on('pageerror', (error) => browserErrors.push(`pageerror: ${error.message}`));
    },
    { timeout: 300_000 },
  );

  after(async () => {
    await browser?.close();
    await platform?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('the worker installs, precaches the app shell and controls the page', async () => {
    await page.goto(`${platform.url}/settings/offline`);
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobal).navigator.serviceWorker.controller !== null,
      null,
      { timeout: 30_000 },
    );
    const names = await page.evaluate(() => (globalThis as unknown as PageGlobal).caches.keys());
    assert.ok(
      names.some((name) => name.startsWith('shell-')),
      `a versioned shell cache: ${names.join(', ')}`,
    );
    const usage = await ok<Usage>(page, { type: 'usage' });
    assert.deepEqual(usage, { bytes: 0, entries: 0, capBytes: 200 * MB });
  });

  test('bad messages are answered with a code', async () => {
    const reply = await ask<unknown>(page, { type: 'precache', episodeId: -1, masterUrl: '/x' });
    assert.deepEqual(reply.ok ? null : reply.code, 'OFFLINE_BAD_MESSAGE');
    const cap = await ask<unknown>(page, { type: 'set-cap', capBytes: 12 });
    assert.equal(cap.ok ? null : cap.code, 'OFFLINE_CAP_INVALID');
    const missing = await ask<unknown>(page, {
      type: 'precache',
      episodeId: 1,
      masterUrl: `${platform.url}/media/1.3.AAAA/episodes/1/1/master.m3u8`,
    });
    assert.equal(missing.ok ? null : missing.code, 'OFFLINE_FETCH_FAILED');
  });

  test('a ready episode is saved: playlists, AES key and every segment of a short one', async () => {
    const info = await playback(episodes[0]!);
    assert.equal(info.encrypted, true, 'demo episodes are encrypted, so the key is exercised');
    const result = await ok<Precache>(page, {
      type: 'precache',
      episodeId: info.episodeId,
      masterUrl: info.masterUrl,
    });
    assert.equal(result.complete, true);
    assert.equal(result.rung, 360, 'the lowest rung at or above 360p');
    assert.ok(result.segments >= 3, `a 6 s episode in 2 s segments: ${result.segments}`);
    const usage = await ok<Usage>(page, { type: 'usage' });
    assert.ok(usage.bytes > 0 && usage.bytes === result.bytes, JSON.stringify({ usage, result }));
    assert.equal(usage.entries, result.stored);
    const urls = await cachedUrls(page);
    assert.ok(
      urls.some((url) => url.endsWith('/master.m3u8')),
      urls.join('\n'),
    );
    assert.ok(
      urls.some((url) => /\/keys\/\d+$/.test(url)),
      'the content key is saved',
    );
    assert.equal(urls.filter((url) => url.endsWith('.ts')).length, result.segments);
    assert.ok(
      urls.every((url) => !/\/media\/\d+\.\d+\./.test(url)),
      'keys carry no token: they survive a fresh signed URL',
    );
    const again = await ok<Precache>(page, {
      type: 'precache',
      episodeId: info.episodeId,
      masterUrl: info.masterUrl,
    });
    assert.equal(again.segments, result.segments);
    assert.equal(
      (await ok<Usage>(page, { type: 'usage' })).bytes,
      usage.bytes,
      'saving twice counts once',
    );
  });

  test('the saved episode plays with /media and the key endpoint unreachable', async () => {
    const info = await playback(episodes[0]!);
    const refused: string[] = [];
    const refuse = async (route: { request(): { url(): string }; abort(): Promise<void> }) => {
      refused.push(route.request().url());
      await route.abort();
    };
    await context.route('**/media/**', refuse);
    await context.route('**/api/v1/episodes/*/keys/*', refuse);
    try {
      await page.goto(`${platform.url}/settings/offline`);
      await page.addScriptTag({ path: hlsScript });
      await page.evaluate((masterUrl) => {
        const global = globalThis as unknown as PageGlobal;
        const video = global.document.createElement('video');
        video.muted = true;
        global.document.body.appendChild(video);
        global.hlsErrors = [];
        const hls = new global.Hls();
        hls.on('hlsError', (_event, data) => {
          if (data.fatal) global.hlsErrors.push(data.details);
        });
        hls.loadSource(masterUrl);
        hls.attachMedia(video);
        void video.play().catch(() => undefined);
      }, info.masterUrl);
      await page
        .waitForFunction(
          () => {
            const video = (globalThis as unknown as PageGlobal).document.querySelector('video');
            return video !== null && video.currentTime > 1 && video.readyState >= 3;
          },
          null,
          { timeout: 30_000 },
        )
        .catch(async (error: Error) => {
          const errors = await page.evaluate(() => (globalThis as unknown as PageGlobal).hlsErrors);
          throw new Error(
            `saved episode did not play: ${error.message}\nhls.js: ${errors.join(', ')}\nrefused: ${refused.join('\n')}\n${browserErrors.join('\n')}`,
          );
        });
      const width = await page.evaluate(
        () => (globalThis as unknown as PageGlobal).document.querySelector('video')!.videoWidth,
      );
      assert.equal(width, 360, 'the saved 360p rendition is what plays');
      assert.ok(
        refused.some((url) => url.endsWith('master.m3u8')),
        `the network was tried and refused: ${refused.join(', ')}`,
      );
    } finally {
      await context.unroute('**/media/**', refuse);
      await context.unroute('**/api/v1/episodes/*/keys/*', refuse);
    }
  });

  test('a navigation without a network gets the offline page', async () => {
    await context.setOffline(true);
    try {
      await page.goto(`${platform.url}/series/1`);
      const text = await page.locator('[data-testid="offline-page"]').innerText();
      assert.match(text, /You are offline/);
    } finally {
      await context.setOffline(false);
    }
  });

  test('a lower cap evicts the least recently used episodes', async () => {
    await page.goto(`${platform.url}/settings/offline`);
    const saved: Array<{ episodeId: number; masterKey: string; bytes: number }> = [];
    for (const episodeId of episodes.slice(1, 4)) {
      const info = await playback(episodeId);
      const result = await ok<Precache>(page, {
        type: 'precache',
        episodeId,
        masterUrl: info.masterUrl,
        maxRungHeight: 540,
      });
      assert.equal(result.complete, true);
      saved.push({
        episodeId,
        masterKey: new URL(info.masterUrl, platform.url).pathname.replace(
          /^\/media\/[^/]+\//,
          '/media/',
        ),
        bytes: result.bytes,
      });
    }
    const before = await ok<Usage>(page, { type: 'usage' });
    // Episode 0 (saved and played in the tests above) is the least recently used, then 1, 2, 3.
    // A cap that the three newer ones exceed leaves nothing of episode 0 and keeps episode 3.
    const cap = Math.max(MB, saved[2]!.bytes + 1024);
    const newer = saved.reduce((sum, item) => sum + item.bytes, 0);
    assert.ok(newer > cap, `saved enough to exceed the cap: ${newer} > ${cap}`);
    const after = await ok<Usage>(page, { type: 'set-cap', capBytes: cap });
    assert.equal(after.capBytes, cap);
    assert.ok(after.bytes <= cap, `${after.bytes} <= ${cap}`);
    assert.ok(after.entries < before.entries);
    const urls = (await cachedUrls(page)).map((url) => new URL(url).pathname);
    const oldest = `/media/episodes/${episodes[0]}/`;
    assert.deepEqual(
      urls.filter((url) => url.startsWith(oldest)),
      [],
      'the least recently used episode is gone',
    );
    assert.ok(urls.includes(saved[2]!.masterKey), `the newest is kept: ${urls.join('\n')}`);

    // Saving another one under the cap evicts again instead of overflowing it.
    const info = await playback(episodes[4]!);
    const next = await ok<Precache>(page, {
      type: 'precache',
      episodeId: episodes[4]!,
      masterUrl: info.masterUrl,
    });
    try {
      assert.ok(next.segments > 0);
      assert.ok((await ok<Usage>(page, { type: 'usage' })).bytes <= cap);
    } finally {
      await ok<Usage>(page, { type: 'set-cap', capBytes: 200 * MB });
    }
  });

  test('what a worker stopped between its two writes leaves is repaired before the next save', async () => {
    // The two leftovers the write order allows: a response without its record, and (from an
    // older worker or a cleared cache) a record without its response.
    const origin = platform.url;
    await page.evaluate(
      async ({ name, orphan, ghost }) => {
        const global = globalThis as unknown as {
          caches: {
            open(name: string): Promise<{ put(key: string, response: unknown): Promise<void> }>;
          };
          Response: new (body: string) => unknown;
          indexedDB: {
            open(
              name: string,
              version: number,
            ): {
              onsuccess: (() => void) | null;
              onerror: (() => void) | null;
              result: {
                transaction(
                  store: string,
                  mode: string,
                ): {
                  objectStore(store: string): { put(value: unknown): void };
                  oncomplete: (() => void) | null;
                  onerror: (() => void) | null;
                };
                close(): void;
              };
            };
          };
        };
        await (await global.caches.open(name)).put(orphan, new global.Response('x'.repeat(5000)));
        await new Promise<void>((resolve, reject) => {
          const request = global.indexedDB.open('binge-offline', 1);
          request.onerror = () => reject(new Error('open failed'));
          request.onsuccess = () => {
            const transaction = request.result.transaction('entries', 'readwrite');
            transaction
              .objectStore('entries')
              .put({ key: ghost, bytes: 777_777, lastUsed: 0, episodeId: null });
            transaction.oncomplete = () => {
              request.result.close();
              resolve();
            };
            transaction.onerror = () => reject(new Error('put failed'));
          };
        });
      },
      {
        name: mediaCache,
        orphan: `${origin}/media/episodes/0/0/orphan.ts`,
        ghost: `${origin}/media/episodes/0/0/ghost.ts`,
      },
    );
    const counted = await ok<Usage>(page, { type: 'usage' });
    assert.ok(counted.bytes >= 777_777, 'the ghost record is counted until repaired');
    const info = await playback(episodes[1]!);
    await ok<Precache>(page, {
      type: 'precache',
      episodeId: episodes[1]!,
      masterUrl: info.masterUrl,
    });
    const urls = await cachedUrls(page);
    assert.ok(
      !urls.some((url) => url.endsWith('/orphan.ts')),
      'the unrecorded response is deleted',
    );
    // The manifest now counts exactly what the cache holds.
    assert.deepEqual(await ok<Usage>(page, { type: 'usage' }), {
      ...(await cachedSize(page)),
      capBytes: 200 * MB,
    });
  });

  test('the settings page shows usage and clears the cache after confirmation', async () => {
    await page.goto(`${platform.url}/settings/offline`);
    const usage = page.locator('[data-testid="offline-usage"]');
    await page.waitForFunction(() => {
      const node = (
        globalThis as unknown as {
          document: { querySelector(s: string): { textContent: string } | null };
        }
      ).document.querySelector('[data-testid="offline-usage"]');
      return node !== null && /MB/.test(node.textContent);
    });
    const before = await ok<Usage>(page, { type: 'usage' });
    assert.ok(before.entries > 0);
    assert.match(await usage.innerText(), /Saved: [\d.]+ MB of 200 MB/);

    const cellular = page.locator('[data-testid="offline-cellular"]');
    assert.equal(await cellular.getAttribute('aria-checked'), 'false');
    await cellular.click();
    assert.equal(await cellular.getAttribute('aria-checked'), 'true');
    assert.equal(
      await page.evaluate(() =>
        (
          globalThis as unknown as { localStorage: { getItem(k: string): string | null } }
        ).localStorage.getItem('binge.offline'),
      ),
      '{"allowCellular":true}',
    );

    await page.locator('[data-testid="offline-clear"]').click();
    await page.locator('[data-testid="offline-clear-confirm"]').click();
    const status = page.locator('[data-testid="offline-status"]');
    await page.waitForFunction(() => {
      const node = (
        globalThis as unknown as {
          document: { querySelector(s: string): { textContent: string } | null };
        }
      ).document.querySelector('[data-testid="offline-status"]');
      return node !== null && node.textContent.includes('Deleted');
    });
    assert.match(await status.innerText(), new RegExp(`Deleted ${before.entries} files`));
    assert.deepEqual(await ok<Usage>(page, { type: 'usage' }), {
      bytes: 0,
      entries: 0,
      capBytes: 200 * MB,
    });
    assert.deepEqual(await cachedUrls(page), []);
    assert.match(await usage.innerText(), /Saved: 0 MB of 200 MB/);
  });
});
