import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AuthSession, List, SeriesDetail, SeriesSummary } from '@binge/core/protocol/catalog';
import {
  createRealtimeClient,
  type RealtimeClient,
} from '@binge/core/protocol/realtime-client/client';
import { startPlatform, type Platform } from '../../bin/platform.ts';
import { getJson, waitFor } from '../support/polling.ts';
import { ensureWebBuild } from '../support/web-build.ts';

/**
 * Danmu in real Chromium against the whole embedded platform: one viewer sends a danmu from the
 * watch page and a second browser context sees it on its screen; then many danmu published
 * through the gateway at nearby video times are shown without any two overlapping.
 *
 * Positions are read from the layer's on-screen list (DanmuLayer.svelte): every comment drawn is
 * mirrored as a list item placed over the rectangle the renderer reports for it, for screen
 * readers; the test reads those rectangles with getBoundingClientRect.
 *
 * The tiny demo episodes last 6 s, so each page loops its video (no auto-next) while it is
 * watched: the layer re-syncs at each loop like after any seek.
 */
const screenshot = '/tmp/e2e-danmu.png';
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

/** The browser side, typed by shape (the repository's tsconfig has no DOM lib). */
interface RectLike {
  left: number;
  top: number;
  width: number;
  height: number;
}
interface ElementLike {
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): RectLike;
}
interface VideoLike {
  currentTime: number;
  readyState: number;
  paused: boolean;
  loop: boolean;
}
interface InputLike {
  disabled: boolean;
}
type BrowserGlobal = {
  document: {
    querySelector(selector: 'video'): VideoLike | null;
    querySelector(selector: string): (ElementLike & InputLike) | null;
    querySelectorAll(selector: string): ArrayLike<ElementLike>;
  };
  innerWidth: number;
  innerHeight: number;
};

interface ShownRect {
  text: string;
  own: boolean;
  mode: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The danmu on screen now, from the layer's list, in page coordinates. */
function shownDanmu(page: Page): Promise<ShownRect[]> {
  return page.evaluate(() => {
    const g = globalThis as unknown as BrowserGlobal;
    return Array.from(g.document.querySelectorAll('.danmu-layer li'), (li) => {
      const box = li.getBoundingClientRect();
      return {
        text: li.textContent ?? '',
        own: li.getAttribute('data-own') === 'true',
        mode: li.getAttribute('data-mode') ?? '',
        x: box.left,
        y: box.top,
        w: box.width,
        h: box.height,
      };
    });
  }) as Promise<ShownRect[]>;
}

function overlapping(rects: ShownRect[]): Array<[ShownRect, ShownRect]> {
  const pairs: Array<[ShownRect, ShownRect]> = [];
  for (let i = 0; i < rects.length; i += 1) {
    for (let j = i + 1; j < rects.length; j += 1) {
      const a = rects[i]!;
      const b = rects[j]!;
      // Half a pixel of tolerance for the rounding of the list's positions.
      const apart =
        a.x + a.w <= b.x + 0.5 ||
        b.x + b.w <= a.x + 0.5 ||
        a.y + a.h <= b.y + 0.5 ||
        b.y + b.h <= a.y + 0.5;
      if (!apart) pairs.push([a, b]);
    }
  }
  return pairs;
}

describe('danmu in Chromium', () => {
  let dataDir: string;
  let platform: Platform;
  let browser: Browser;
  let episodeId: number;
  const contexts: BrowserContext[] = [];
  const publishers: RealtimeClient[] = [];
  const browserErrors: string[] = [];

  async function watch(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    contexts.push(context);
    // Stay on this episode: continuous play (on by default) would skip its outro into the next.
    await context.addInitScript(() =>
      (
        globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }
      ).localStorage.setItem('binge.continuousPlay', 'false'),
    );
    const page = await context.newPage();
    page.on('pageerror', (error) => browserErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') browserErrors.push(`console: ${message.text()}`);
    });
    await page.goto(`${platform.url}/watch/${episodeId}`);
    await page
      .waitForFunction(
        () => {
          const g = globalThis as unknown as BrowserGlobal;
          const video = g.document.querySelector('video');
          const layer = g.document.querySelector('.danmu-layer');
          const input = g.document.querySelector('.composer input[type="text"]');
          if (!video || !layer || !input) return false;
          video.loop = true;
          return video.readyState >= 3 && video.currentTime > 0.2 && !input.disabled;
        },
        null,
        { timeout: 40_000 },
      )
      .catch((error: Error) => {
        throw new Error(`watch page not ready: ${error.message}\n${browserErrors.join('\n')}`);
      });
    return page;
  }

  before(
    async () => {
      ensureWebBuild();
      dataDir = await mkdtemp(path.join(tmpdir(), 'binge-e2e-danmu-'));
      platform = await startPlatform({
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DEMO_SEED: 'true',
        DEMO_SCALE: 'tiny',
        LOG_LEVEL: 'warn',
      });
      const series = await waitFor('a series whose episode 1 is ready', async () => {
        const list = await getJson<List<SeriesSummary>>(`${platform.url}/api/v1/lists/new`);
        for (const item of list.items.filter((summary) => summary.readyEpisodeCount > 0)) {
          const detail = await getJson<SeriesDetail>(`${platform.url}/api/v1/series/${item.id}`);
          if (detail.episodes.some((episode) => episode.number === 1 && episode.status === 'ready'))
            return detail;
        }
        return null;
      });
      episodeId = series.episodes.find((episode) => episode.number === 1)!.id;
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    },
    { timeout: 300_000 },
  );

  after(async () => {
    for (const client of publishers) client.close();
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await platform?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test(
    'a danmu sent in one browser shows on a second browser’s screen',
    { timeout: 120_000 },
    async () => {
      const sender = await watch();
      const viewer = await watch();

      // Put the viewer at the sender's moment, so the live danmu is due on both screens now.
      const at = await sender.evaluate(
        () => (globalThis as unknown as BrowserGlobal).document.querySelector('video')!.currentTime,
      );
      await viewer.evaluate((seconds) => {
        (globalThis as unknown as BrowserGlobal).document.querySelector('video')!.currentTime =
          seconds;
      }, at);

      const text = `第一次见 hello ${Date.now() % 100000}`;
      await sender.locator('.composer input[type="text"]').fill(text);
      await sender.locator('.composer input[type="text"]').press('Enter');

      const onScreen = async (page: Page) =>
        waitFor(
          `"${text}" on screen`,
          async () => {
            const found = (await shownDanmu(page)).find((item) => item.text.includes(text));
            // On screen: some of it inside the viewport, not waiting beyond the right edge.
            return found && found.x < 390 && found.x + found.w > 0 ? found : null;
          },
          15_000,
        );
      const mine = await onScreen(sender);
      assert.equal(mine.own, true, 'the sender’s copy is marked as theirs');
      const theirs = await onScreen(viewer).catch(async (error: Error) => {
        await viewer.screenshot({ path: screenshot });
        throw new Error(`${error.message} (screenshot ${screenshot})\n${browserErrors.join('\n')}`);
      });
      assert.equal(theirs.own, false, 'the other viewer sees it unmarked');
      const backend = await viewer.locator('.danmu-layer').getAttribute('data-danmu-backend');
      console.log(`# danmu renderer backend in this Chromium: ${backend}`);
      assert.match(backend ?? '', /^(webgl|canvas|dom)$/);
      const status = await sender.locator('.composer .feedback').innerText();
      assert.doesNotMatch(status, /Code:/, `no send error: ${status}`);
      await viewer.screenshot({ path: screenshot });
    },
  );

  test('many danmu at nearby times: no two on screen overlap', { timeout: 180_000 }, async () => {
    // Eleven viewers, each behind its own address (the embedded server trusts X-Forwarded-For
    // from loopback, like a proxy), publish six danmu each within 4 s of video: within the
    // gateway's rate limits (3 at once then one per 2 s per user, 10 at once per address).
    const perUser = 6;
    const users = 11;
    const sends: Array<Promise<unknown>> = [];
    for (let u = 0; u < users; u += 1) {
      const response = await fetch(`${platform.url}/api/v1/auth/guest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(response.status, 201, await response.clone().text());
      const guest = (await response.json()) as AuthSession;
      const address = `10.9.0.${u + 1}`;
      class ForwardedWebSocket extends WebSocket {
        constructor(url: string) {
          super(url, { headers: { 'x-forwarded-for': address } });
        }
      }
      const client = createRealtimeClient({
        url: `${platform.url.replace(/^http/, 'ws')}/ws`,
        WebSocket: ForwardedWebSocket,
        getToken: async () => guest.accessToken,
        hlcNode: `e2e-danmu-${u}`,
      });
      publishers.push(client);
      await client.connect();
      sends.push(
        (async () => {
          for (let i = 0; i < perUser; i += 1) {
            const n = u * perUser + i;
            const published = async () =>
              client.publish(`danmu:${episodeId}`, {
                t: `${'弹'.repeat(1 + (n % 9))} ${n}`,
                pos: 500 + ((n * 61) % 4000),
                mode: n % 7 === 3 ? 1 : n % 7 === 5 ? 2 : 0,
                col: n % 2 === 0 ? '#ffffff' : '#ffd302',
                size: n % 5 === 0 ? 2 : 1,
              });
            // The burst of three passes at once; after it, one every 2 s per user.
            for (let attempt = 0; ; attempt += 1) {
              try {
                await published();
                break;
              } catch (error) {
                const rateLimited = (error as { codeName?: string }).codeName === 'RATE_LIMITED';
                if (!rateLimited || attempt > 10) throw error;
                await new Promise((resolve) => setTimeout(resolve, 1100));
              }
            }
          }
        })(),
      );
    }
    await Promise.all(sends);

    // A fresh viewer loads them as history by video-time window.
    const page = await watch();
    let most = 0;
    let samples = 0;
    const failures: string[] = [];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const rects = (await shownDanmu(page)).filter((r) => r.x < 390 && r.x + r.w > 0);
      samples += 1;
      most = Math.max(most, rects.length);
      for (const [a, b] of overlapping(rects))
        failures.push(`${JSON.stringify(a)} × ${JSON.stringify(b)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.screenshot({ path: '/tmp/e2e-danmu-many.png' });
    assert.deepEqual(failures, [], 'overlapping danmu on screen');
    assert.ok(samples >= 15, `${samples} samples`);
    assert.ok(most >= 12, `at most ${most} danmu were on screen at once: the check saw too few`);
    console.log(`# ${samples} samples, up to ${most} danmu on screen at once, none overlapping`);
  });
});
