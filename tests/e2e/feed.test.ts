import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { List, SeriesSummary } from '@binge/core/protocol/catalog';
import { startPlatform, type Platform } from '../../bin/platform.ts';
import { chromiumArgs, chromiumPath, currentCard, phone, swipe } from '../support/browser.ts';
import { getJson, waitFor } from '../support/polling.ts';
import { ensureWebBuild } from '../support/web-build.ts';

/**
 * The swipe feed on a phone-sized Chromium with touch, against the whole embedded platform: a
 * new visitor becomes a guest, the gateway's feed pages fill the pager, and each of five videos
 * reached by swiping shows its first frame and plays. No autoplay flag: pooled elements start
 * muted, as phones allow.
 */
/** Advancing playback: the picture decoded and the clock moving. */
async function waitPlaying(page: Page, episodeId: number, errors: string[]): Promise<void> {
  await page
    .waitForFunction(
      (id) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } })
          .document;
        const card = doc.querySelector(`[data-current="true"][data-episode-id="${id}"]`) as {
          querySelector(s: string): { currentTime: number; readyState: number } | null;
        } | null;
        const video = card?.querySelector('video');
        return !!video && video.readyState >= 2 && video.currentTime > 0.2;
      },
      episodeId,
      { timeout: 30_000 },
    )
    .catch((error: Error) => {
      throw new Error(`episode ${episodeId} did not play: ${error.message}\n${errors.join('\n')}`);
    });
}

describe('the swipe feed in Chromium, phone-sized', () => {
  let dataDir: string;
  let platform: Platform;
  let browser: Browser;
  const errors: string[] = [];

  before(
    async () => {
      ensureWebBuild();
      dataDir = await mkdtemp(path.join(tmpdir(), 'binge-feed-e2e-'));
      platform = await startPlatform({
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DEMO_SEED: 'true',
        DEMO_SCALE: 'tiny',
        LOG_LEVEL: 'warn',
      });
      // Five swipes need six playable episodes (tiny scale has about fourteen).
      await waitFor('six ready episodes', async () => {
        const list = await getJson<List<SeriesSummary>>(`${platform.url}/api/v1/lists/new`);
        const ready = list.items.reduce((sum, item) => sum + item.readyEpisodeCount, 0);
        return ready >= 6 ? ready : null;
      });
      browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    },
    { timeout: 300_000 },
  );

  after(async () => {
    await browser?.close();
    await platform?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('swiping up through five videos plays each one; swiping down goes back', async () => {
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    await page.goto(`${platform.url}/`);
    const cdp = await context.newCDPSession(page);

    const seen: number[] = [];
    let card = await waitFor(
      'the first card',
      async () => {
        const found = await currentCard(page);
        return found.episodeId ? found : null;
      },
      30_000,
    );
    for (let video = 0; video < 5; video++) {
      await waitPlaying(page, card.episodeId!, errors);
      const playing = await currentCard(page);
      assert.ok(playing.width > 0, `episode ${playing.episodeId} decoded a picture`);
      seen.push(playing.episodeId!);
      if (video === 4) break;
      await swipe(cdp, { x: 200, y: 620 }, { x: 200, y: 160 });
      card = await waitFor(
        'the next card',
        async () => {
          const found = await currentCard(page);
          return found.episodeId !== null && found.episodeId !== playing.episodeId ? found : null;
        },
        10_000,
      );
    }
    assert.equal(new Set(seen).size, 5, `five different episodes: ${seen.join(', ')}`);

    // Swiping down goes back one card, which plays again. (Six-second demo episodes may have
    // carried the feed on by themselves meanwhile, so "back" is relative to the card on screen.)
    const last = await currentCard(page);
    await swipe(cdp, { x: 200, y: 200 }, { x: 200, y: 660 });
    const back = await waitFor(
      'the previous card',
      async () => {
        const found = await currentCard(page);
        return found.index === last.index! - 1 ? found : null;
      },
      10_000,
    );
    await waitPlaying(page, back.episodeId!, errors);

    // A short drag is not a swipe: the card stays.
    await swipe(cdp, { x: 200, y: 400 }, { x: 200, y: 360 }, 4, 60);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await currentCard(page)).episodeId, back.episodeId);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('arrow keys and the wheel page the feed on a desktop', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${platform.url}/`);
    const first = await waitFor(
      'the first card',
      async () => {
        const found = await currentCard(page);
        return found.episodeId ? found : null;
      },
      30_000,
    );
    await waitPlaying(page, first.episodeId!, errors);
    await page.keyboard.press('ArrowDown');
    const second = await waitFor(
      'the next card',
      async () => {
        const found = await currentCard(page);
        return found.episodeId !== first.episodeId ? found : null;
      },
      10_000,
    );
    await waitPlaying(page, second.episodeId!, errors);
    await page.mouse.move(640, 400);
    await page.mouse.wheel(0, -120);
    await waitFor(
      'the first card again',
      async () => {
        const found = await currentCard(page);
        return found.episodeId === first.episodeId ? found : null;
      },
      10_000,
    );
    await context.close();
  });
});
