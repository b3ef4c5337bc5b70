import type { CDPSession, Page } from 'playwright-core';

/** Debian's Chromium, as installed: no browser is downloaded. */
export const chromiumPath = '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A phone: the size of an iPhone 14/15, touch, mobile viewport rules. */
export const phone = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
} as const;

/**
 * A finger dragged vertically through real touch input (CDP Input.dispatchTouchEvent), so the page
 * gets the touch and pointer events a phone sends, not synthetic DOM events.
 */
export async function swipe(
  cdp: CDPSession,
  from: { x: number; y: number },
  to: { x: number; y: number },
  steps = 8,
  stepMs = 16,
): Promise<void> {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [from] });
  for (let i = 1; i <= steps; i++) {
    const point = {
      x: from.x + ((to.x - from.x) * i) / steps,
      y: from.y + ((to.y - from.y) * i) / steps,
    };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [point] });
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** What the in-page callbacks read (the repository's tsconfig has no DOM lib). */
export interface CurrentCard {
  episodeId: number | null;
  /** Its position in the feed (data-feed-index). */
  index: number | null;
  time: number;
  readyState: number;
  paused: boolean;
  width: number;
}

/** The feed card on screen and its video, read in the page. */
export function currentCard(page: Page): Promise<CurrentCard> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } })
      .document;
    const card = doc.querySelector('[data-current="true"]') as {
      getAttribute(name: string): string | null;
      querySelector(s: string): unknown;
    } | null;
    const video = card?.querySelector('video') as {
      currentTime: number;
      readyState: number;
      paused: boolean;
      videoWidth: number;
    } | null;
    return {
      episodeId: card ? Number(card.getAttribute('data-episode-id')) : null,
      index: card ? Number(card.getAttribute('data-feed-index')) : null,
      time: video?.currentTime ?? 0,
      readyState: video?.readyState ?? 0,
      paused: video?.paused ?? true,
      width: video?.videoWidth ?? 0,
    };
  });
}
