/**
 * The feed in Debian's Chromium against the embedded platform (demo catalog, tiny scale: 540x960,
 * 2 s HLS segments, AES-128), on a phone-sized page:
 *
 * - time to first frame: navigation start of `/` to the first frame of the first video presented
 *   while playing (requestVideoFrameCallback), in a fresh browser context each time (new guest,
 *   cold caches);
 * - swipe to first frame: the key press that moves to the next video to the first frame of that
 *   video presented while playing, with the pool preloading the next two videos (the default)
 *   and without (`/?preload=0`: only the current video is loaded, as a feed without a pool does),
 *   interleaved in the same run. Goal: median < 150 ms with preloading;
 * - JS shipped: every script the feed page loads before its first frame, gzip -9, and what is
 *   loaded lazily after.
 *
 *   npm run bench:web-feed               # 7 opens, 20 swipes per mode
 *   npm run bench:web-feed -- --quick    # 3 opens, 8 swipes per mode
 */
import { gzipSync } from 'node:zlib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { List, SeriesSummary } from '@binge/core/protocol/catalog';
import { startPlatform } from '../bin/platform.ts';
import { chromiumArgs, chromiumPath, phone } from '../tests/support/browser.ts';
import { getJson, waitFor } from '../tests/support/polling.ts';

const quick = process.argv.includes('--quick');
const opens = quick ? 3 : 7;
const swipes = quick ? 8 : 20;
/** Dwell on each video before swiping on, as a viewer does (and the time preloading gets). */
const dwellMs = 2_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** In the page: ms from navigation start to the first frame of the current card's video. */
const firstFrameScript = `new Promise((resolve, reject) => {
  const deadline = performance.now() + 30000;
  const poll = () => {
    const video = document.querySelector('[data-current="true"] video');
    if (video && !video.paused) {
      video.requestVideoFrameCallback((now) => resolve(now));
      return;
    }
    if (performance.now() > deadline) return reject(new Error('no playing video'));
    requestAnimationFrame(poll);
  };
  poll();
})`;

/**
 * In the page: press ArrowDown, then two times for the new current video: until its picture is
 * on screen (a decoded frame in the element when its card is current: at once for a preloaded
 * one, after loading for a cold one), and until it presents a frame while playing.
 */
const swipeScript = `new Promise((resolve, reject) => {
  const before = document.querySelector('[data-current="true"]')?.getAttribute('data-episode-id');
  const start = performance.now();
  window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
  const deadline = start + 30000;
  let picture = null;
  const poll = () => {
    const card = document.querySelector('[data-current="true"]');
    const moved = card && card.getAttribute('data-episode-id') !== before;
    // A paid episode shows its lock panel, not a video: not a sample.
    if (moved && card.querySelector('.locked')) return resolve(null);
    const video = moved && card.querySelector('video');
    if (video && picture === null && video.readyState >= 2) picture = performance.now() - start;
    if (video && picture !== null && !video.paused) {
      video.requestVideoFrameCallback((now) => resolve({ picture, playing: now - start }));
      return;
    }
    if (performance.now() > deadline) {
      const v = video || null;
      return reject(new Error('the next video did not play: ' + JSON.stringify({ before, now: card && card.getAttribute('data-episode-id'), label: card && card.getAttribute('aria-label'), picture, html: card ? card.innerHTML.slice(0, 120) : null, video: v && { paused: v.paused, rs: v.readyState, t: v.currentTime, ended: v.ended, err: v.error && v.error.message } })));
    }
    requestAnimationFrame(poll);
  };
  poll();
})`;

async function openFeed(browser: Browser, url: string) {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error')
      console.error(`page ${message.type()}: ${message.text().slice(0, 200)}`);
  });
  const scripts = new Map<string, number>();
  page.on('response', (response) => {
    const type = response.request().resourceType();
    if (type === 'script' || response.url().endsWith('.js')) scripts.set(response.url(), -1);
  });
  await page.goto(url);
  const firstFrame = (await page.evaluate(firstFrameScript)) as number;
  const before = new Set(scripts.keys());
  return { context, page, firstFrame, scriptsBefore: before, scripts };
}

interface SwipeSample {
  picture: number;
  playing: number;
}

/** One swipe onto a playable video (swipes onto locked episodes are repeated, not counted). */
async function swipeRun(page: Page): Promise<SwipeSample> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, dwellMs));
    const sample = (await page.evaluate(swipeScript)) as SwipeSample | null;
    if (sample !== null) return sample;
  }
}

async function gzipSizes(urls: Iterable<string>): Promise<number> {
  let total = 0;
  for (const url of urls) {
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    total += gzipSync(body, { level: 9 }).length;
  }
  return total;
}

async function main() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'binge-bench-web-'));
  const platform = await startPlatform({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DEMO_SEED: 'true',
    DEMO_SCALE: 'tiny',
    LOG_LEVEL: 'warn',
    // Each browser context is a new device: a guest of its own.
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [...chromiumArgs, '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    await waitFor(
      'the whole tiny catalog',
      async () => {
        const list = await getJson<List<SeriesSummary>>(`${platform.url}/api/v1/lists/new`);
        const pending = list.items.some((item) => item.readyEpisodeCount < item.episodeCount);
        return list.items.length > 0 && !pending ? true : null;
      },
      600_000,
    );

    const opened: number[] = [];
    let shipped = { initial: 0, lazy: 0, files: 0 };
    for (let run = 0; run < opens; run++) {
      const feed = await openFeed(browser, `${platform.url}/`);
      opened.push(feed.firstFrame);
      if (run === 0) {
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const lazy = [...feed.scripts.keys()].filter((url) => !feed.scriptsBefore.has(url));
        shipped = {
          initial: await gzipSizes(feed.scriptsBefore),
          lazy: await gzipSizes(lazy),
          files: feed.scriptsBefore.size,
        };
      }
      await feed.context.close();
    }

    const withPool = await openFeed(browser, `${platform.url}/`);
    const withoutPool = await openFeed(browser, `${platform.url}/?preload=0`);
    const preloaded: SwipeSample[] = [];
    const cold: SwipeSample[] = [];
    for (let i = 0; i < swipes; i++) {
      // Interleaved, so both modes meet the same machine noise.
      preloaded.push(await swipeRun(withPool.page));
      cold.push(await swipeRun(withoutPool.page));
    }
    await withPool.context.close();
    await withoutPool.context.close();

    const row = (name: string, values: number[]) =>
      `${name.padEnd(36)} median ${median(values).toFixed(0).padStart(5)} ms   p90 ${percentile(values, 90).toFixed(0).padStart(5)} ms   (n=${values.length})`;
    console.log(`Chromium ${browser.version()}, viewport 390x844 (touch), tiny demo catalog`);
    console.log(row('open feed → first frame', opened));
    const pictures = (samples: SwipeSample[]) => samples.map((sample) => sample.picture);
    const playing = (samples: SwipeSample[]) => samples.map((sample) => sample.playing);
    console.log(row('swipe → picture, preloading', pictures(preloaded)));
    console.log(row('swipe → picture, no preloading', pictures(cold)));
    console.log(row('swipe → playing frame, preloading', playing(preloaded)));
    console.log(row('swipe → playing frame, no preloading', playing(cold)));
    console.log(
      `preloading: picture ${(median(pictures(cold)) / median(pictures(preloaded))).toFixed(1)}x, playing frame ${(median(playing(cold)) / median(playing(preloaded))).toFixed(1)}x faster at the median (goal: < 150 ms)`,
    );
    console.log(
      `JS before the first frame: ${(shipped.initial / 1024).toFixed(1)} KiB gzip in ${shipped.files} files; loaded after: ${(shipped.lazy / 1024).toFixed(1)} KiB gzip`,
    );
  } finally {
    await browser.close();
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
