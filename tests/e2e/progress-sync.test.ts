import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  createRecordingSmsSender,
  type RecordingSmsSender,
} from '@binge/core/accounts/sms-sender-recording';
import type {
  List,
  SeriesDetail,
  SeriesSummary,
  WatchProgress,
} from '@binge/core/protocol/catalog';
import { startPlatform, type Platform } from '../../bin/platform.ts';
import { chromiumArgs, chromiumPath, phone } from '../support/browser.ts';
import { pageAccessToken, signInByPhone } from '../support/phone-sign-in.ts';
import { getJson, waitFor } from '../support/polling.ts';
import { ensureWebBuild } from '../support/web-build.ts';

/**
 * Keeping one's place: a viewer signed in by phone watches an episode part way and pauses; the
 * position goes through the gateway (HLC-stamped progress), a reload resumes there, and the same
 * person on a second device (another browser context, signed in with the same phone) resumes
 * there too. The demo episodes are 6 s long: resuming at 3 s is half way.
 */
const viewerPhone = '+8613800138123';

/** Records, in the page, where the first `playing` of a video element started. */
const recordFirstPlaying = `document.addEventListener('playing', (event) => {
  if (window.__firstPlayingAt === undefined) window.__firstPlayingAt = event.target.currentTime;
}, true);`;

async function firstPlayingAt(page: Page): Promise<number> {
  return waitFor(
    'the first playing event',
    async () => {
      const value = (await page.evaluate('window.__firstPlayingAt')) as number | undefined;
      return typeof value === 'number' ? value : null;
    },
    30_000,
  );
}

describe('watch progress across reloads and devices', () => {
  let dataDir: string;
  let platform: Platform;
  let browser: Browser;
  let sms: RecordingSmsSender;
  let episodeId: number;

  before(
    async () => {
      ensureWebBuild();
      dataDir = await mkdtemp(path.join(tmpdir(), 'binge-progress-e2e-'));
      sms = createRecordingSmsSender();
      platform = await startPlatform(
        {
          PORT: '0',
          HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          DEMO_SEED: 'true',
          DEMO_SCALE: 'tiny',
          LOG_LEVEL: 'warn',
        },
        { smsSender: sms },
      );
      episodeId = await waitFor('a ready free episode', async () => {
        const list = await getJson<List<SeriesSummary>>(`${platform.url}/api/v1/lists/new`);
        for (const item of list.items.filter((summary) => summary.readyEpisodeCount > 0)) {
          const detail = await getJson<SeriesDetail>(`${platform.url}/api/v1/series/${item.id}`);
          const ready = detail.episodes.find((e) => e.isFree && e.status === 'ready');
          if (ready) return ready.id;
        }
        return null;
      });
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [...chromiumArgs, '--autoplay-policy=no-user-gesture-required'],
      });
    },
    { timeout: 300_000 },
  );

  after(async () => {
    await browser?.close();
    await platform?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('a paused position survives a reload and shows up on a second device', async () => {
    const first = await browser.newContext({ ...phone, locale: 'en-US' });
    const page = await first.newPage();
    const firstCodeAt = Date.now();
    await signInByPhone(page, platform.url, sms, viewerPhone);

    await page.goto(`${platform.url}/watch/${episodeId}`);
    await page.waitForFunction(
      () => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } })
          .document;
        const video = doc.querySelector('video') as { currentTime: number } | null;
        return video !== null && video.currentTime >= 3.2;
      },
      null,
      { timeout: 30_000 },
    );
    const pausedAt = (await page.evaluate(`(() => {
      const video = document.querySelector('video');
      video.pause();
      return video.currentTime;
    })()`)) as number;

    // The pause wrote progress through the gateway: the API reads the LWW winner.
    const token = await pageAccessToken(page);
    const stored = await waitFor(
      'the progress to be stored',
      async () => {
        const response = await fetch(`${platform.url}/api/v1/me/progress?limit=10`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const list = (await response.json()) as List<WatchProgress>;
        const entry = list.items.find((item) => item.episodeId === episodeId);
        return entry && entry.positionMs >= 3_000 ? entry : null;
      },
      15_000,
    );
    assert.ok(
      Math.abs(stored.positionMs - pausedAt * 1000) < 600,
      `stored ${stored.positionMs} ms for a pause at ${pausedAt} s`,
    );

    // A reload resumes there.
    await page.addInitScript(recordFirstPlaying);
    await page.reload();
    const resumed = await firstPlayingAt(page);
    assert.ok(resumed >= 2.9, `the reload resumed at ${resumed} s (paused at ${pausedAt} s)`);

    // The same person on another device resumes there as well. A number gets one code a minute
    // (README, Sign-in), so the second device asks once that minute is over.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, firstCodeAt + 62_000 - Date.now())),
    );
    const second = await browser.newContext({ ...phone, locale: 'en-US' });
    const other = await second.newPage();
    await signInByPhone(other, platform.url, sms, viewerPhone);
    await other.addInitScript(recordFirstPlaying);
    await other.goto(`${platform.url}/watch/${episodeId}`);
    const elsewhere = await firstPlayingAt(other);
    assert.ok(elsewhere >= 2.9, `the second device resumed at ${elsewhere} s`);
    await first.close();
    await second.close();
  });
});
