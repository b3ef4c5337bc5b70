/**
 * The action in a real browser: Chromium's own touch, mouse and wheel input reaching
 * `use:gestures` as Pointer Events, so touch-action, pointer capture and the control filter are
 * checked against the engine rather than against what we believe it does.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { build } from 'esbuild';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type CDPSession,
  type Page,
} from 'playwright-core';
import type { GestureIntent } from './gesture-recognizer.ts';

const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'];

/** What the page exposes to the test. */
interface Harness {
  intents: GestureIntent[];
  clicks: number;
}
declare global {
  interface Window {
    harness: Harness;
    startGestures: (surface: HTMLElement, mode: 'feed' | 'adjust') => void;
  }
}

let browser: Browser;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let bundle: string;

const pageHtml = `<!doctype html>
<html><head><style>
  body { margin: 0; height: 3000px; }
  #surface { position: absolute; left: 0; top: 0; width: 400px; height: 800px; background: #123; }
  #like { position: absolute; right: 10px; top: 300px; width: 60px; height: 60px; }
</style></head>
<body><div id="surface"><button id="like" type="button">like</button></div></body></html>`;

/**
 * The page side, as plain script text: callbacks serialized from this file would carry the test
 * loader's `__name` helper, which does not exist in the page.
 */
const harnessScript = `
  window.harness = { intents: [], clicks: 0 };
  document.querySelector('#like').addEventListener('click', () => (window.harness.clicks += 1));
  window.startGestures = (surface, mode) =>
    window.gesturesModule.gestures(surface, {
      mode,
      onIntent: (intent) => window.harness.intents.push(intent),
      getStart: () => ({ currentTime: 30, duration: 200, brightness: 0.5, volume: 0.5 }),
    });
`;

before(async () => {
  const result = await build({
    entryPoints: [path.join(import.meta.dirname, 'gestures.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'gesturesModule',
    target: 'es2022',
  });
  bundle = result.outputFiles[0]?.text ?? '';
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
});

after(async () => {
  await browser?.close();
});

async function open(mode: 'feed' | 'adjust') {
  await context?.close();
  context = await browser.newContext({ hasTouch: true, viewport: { width: 400, height: 800 } });
  page = await context.newPage();
  cdp = await context.newCDPSession(page);
  await page.setContent(pageHtml);
  await page.addScriptTag({ content: bundle });
  await page.addScriptTag({ content: harnessScript });
  await page.evaluate((m) => window.startGestures(document.querySelector('#surface')!, m), mode);
}

const intents = () => page.evaluate(() => window.harness.intents);
const types = async () => (await intents()).map((intent) => intent.type);

type TouchPoint = { x: number; y: number; id?: number };
async function touch(type: 'touchStart' | 'touchMove' | 'touchEnd', points: TouchPoint[]) {
  await cdp.send('Input.dispatchTouchEvent', {
    type,
    touchPoints: points.map((point) => ({ x: point.x, y: point.y, id: point.id ?? 0 })),
  });
}

async function touchDrag(from: TouchPoint, to: TouchPoint, steps: number, stepMs: number) {
  await touch('touchStart', [from]);
  for (let i = 1; i <= steps; i += 1) {
    await page.waitForTimeout(stepMs);
    await touch('touchMove', [
      { x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps },
    ]);
  }
  await touch('touchEnd', []);
}

test('a touch swipe up pages the feed and the page behind does not scroll', async () => {
  await open('feed');
  await touchDrag({ x: 200, y: 650 }, { x: 205, y: 250 }, 10, 10);
  const seen = await types();
  assert.equal(seen[0], 'swipeProgress');
  assert.deepEqual((await intents()).at(-1), { type: 'swipe', direction: 'next', via: 'pointer' });
  assert.equal(await page.evaluate(() => window.scrollY), 0);
  assert.equal(
    await page.evaluate(() => getComputedStyle(document.querySelector('#surface')!).touchAction),
    'none',
  );
});

test('a touch held still is a long press, and the context menu is refused while held', async () => {
  await open('feed');
  // Chromium on Linux opens no context menu for an emulated touch, so the menu event Android
  // would send is dispatched by hand while the finger is down, and again after it lifts.
  const menuRefused = () =>
    page.evaluate(
      () =>
        !document
          .querySelector('#surface')!
          .dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true })),
    );
  await touch('touchStart', [{ x: 100, y: 100 }]);
  await page.waitForTimeout(800);
  assert.equal(await menuRefused(), true);
  await touch('touchEnd', []);
  await page.waitForTimeout(50);
  assert.deepEqual(await types(), ['longPressStart', 'longPressEnd']);
  assert.equal(await menuRefused(), false);
});

test('two quick touch taps are a double tap; one is a tap after the window', async () => {
  await open('feed');
  for (let i = 0; i < 2; i += 1) {
    await touch('touchStart', [{ x: 150, y: 400 }]);
    await touch('touchEnd', []);
    await page.waitForTimeout(60);
  }
  await page.waitForTimeout(400);
  assert.deepEqual(await types(), ['doubleTap']);
  await touch('touchStart', [{ x: 150, y: 400 }]);
  await touch('touchEnd', []);
  await page.waitForTimeout(400);
  assert.deepEqual(await types(), ['doubleTap', 'tap']);
});

test('a second finger cancels a swipe', async () => {
  await open('feed');
  await touch('touchStart', [{ x: 200, y: 600 }]);
  await touch('touchMove', [{ x: 200, y: 500 }]);
  await touch('touchStart', [
    { x: 200, y: 500, id: 0 },
    { x: 300, y: 500, id: 1 },
  ]);
  await touch('touchMove', [
    { x: 200, y: 100, id: 0 },
    { x: 300, y: 100, id: 1 },
  ]);
  await touch('touchEnd', []);
  await page.waitForTimeout(50);
  const seen = await types();
  assert.equal(seen.at(-1), 'swipeCancel');
  assert.ok(!seen.includes('swipe'));
});

test('a mouse drag sideways seeks', async () => {
  await open('adjust');
  await page.mouse.move(100, 400);
  await page.mouse.down();
  await page.mouse.move(300, 400, { steps: 8 });
  await page.mouse.up();
  const last = (await intents()).at(-1);
  assert.equal(last?.type, 'seekCommit');
  if (last?.type === 'seekCommit') assert.ok(Math.abs(last.deltaSeconds - 57) < 1e-6);
});

test('adjust mode: a vertical touch drag on the right half sets the volume', async () => {
  await open('adjust');
  await touchDrag({ x: 300, y: 600 }, { x: 300, y: 450 }, 6, 16);
  const seen = await intents();
  assert.deepEqual(seen.at(-1), { type: 'adjustEnd', control: 'volume' });
  const volume = seen.at(-2);
  assert.equal(volume?.type, 'volume');
  // 150 px up, less the 10 px slop, over 0.6 × 800 px for the whole range.
  if (volume?.type === 'volume') assert.ok(Math.abs(volume.value - (0.5 + 140 / 480)) < 1e-6);
});

test('a press on a control over the picture is the control’s, not a gesture', async () => {
  await open('feed');
  await page.mouse.click(370, 330);
  await touch('touchStart', [{ x: 370, y: 330 }]);
  await touch('touchEnd', []);
  await page.waitForTimeout(400);
  assert.deepEqual(await types(), []);
  assert.ok((await page.evaluate(() => window.harness.clicks)) >= 1);
});

test('the wheel pages the feed once per notch train, without scrolling the page', async () => {
  await open('feed');
  await page.mouse.move(200, 400);
  await page.mouse.wheel(0, 100);
  await page.mouse.wheel(0, 100);
  await page.waitForTimeout(300);
  await page.mouse.wheel(0, -100);
  await page.waitForTimeout(50);
  assert.deepEqual(await intents(), [
    { type: 'swipe', direction: 'next', via: 'wheel' },
    { type: 'swipe', direction: 'prev', via: 'wheel' },
  ]);
  assert.equal(await page.evaluate(() => window.scrollY), 0);
});
