/**
 * Danmu rendering frame rate in Chromium: 100, 300 and 1,000 scroll comments on screen, each
 * moved every frame, drawn by the PixiJS renderer of web/src/lib/danmu as the layer creates it,
 * by Pixi on WebGL even when that is software, by Pixi on Canvas 2D, and by the DOM/CSS-transform
 * renderer, in the same run and the same browser. Reports the median frame rate (from the median
 * time between animation frames, so it steps with vsync: 60, 30, 20, 15 …), the mean frame rate,
 * the 95th percentile frame time, and the script time per frame.
 *
 * Two browser set-ups: Chromium with `--disable-gpu` (what the e2e tests use; Chromium 156 still
 * gives pages WebGL through SwiftShader then, with software compositing) and with
 * `--use-angle=swiftshader --enable-unsafe-swiftshader --ignore-gpu-blocklist` (SwiftShader for
 * WebGL and for compositing). The WebGL implementation each gives a page, and the backend Pixi
 * actually used, are printed.
 *
 * The renderers are bundled for the page with esbuild (installed with tsx and vite); Debian's
 * Chromium is used as installed. Run: npm run bench:web-danmu (about 3 minutes).
 * BENCH_SECONDS sets the measured seconds per cell (default 5, after 1 s of warm-up).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import type { RendererChoice, SceneOptions, SceneResult } from './web-danmu/scene.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const measureMs = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const counts = [100, 300, 1000];
const renderers: RendererChoice[] = ['pixi', 'pixi-webgl', 'pixi-canvas', 'dom'];
const stage = { width: 1280, height: 720 };

const baseArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Headless tabs are never hidden, but keep rAF unthrottled all the same.
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
];
const setups = [
  // Chromium 156 still gives pages WebGL here, through SwiftShader, and composites in software.
  { name: '--disable-gpu', args: ['--disable-gpu'] },
  // WebGL through SwiftShader as asked for by name; the compositor then runs on it too.
  {
    name: '--use-angle=swiftshader',
    args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  },
];

async function bundle(): Promise<string> {
  const danmu = path.join(repoRoot, 'web/src/lib/danmu');
  const result = await build({
    stdin: {
      contents: [
        `import { createDomRenderer } from ${JSON.stringify(path.join(danmu, 'renderer-dom.ts'))};`,
        `import { createPixiRenderer } from ${JSON.stringify(path.join(danmu, 'renderer-pixi.ts'))};`,
        `import { installBench } from ${JSON.stringify(path.join(repoRoot, 'bench/web-danmu/scene.ts'))};`,
        'installBench({ dom: () => createDomRenderer(document), pixi: createPixiRenderer });',
      ].join('\n'),
      resolveDir: path.join(repoRoot, 'web'),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0]!.text;
}

function serve(script: string) {
  const page = `<!doctype html><html><head><meta charset="utf-8"><style>
html,body{margin:0;width:${stage.width}px;height:${stage.height}px;overflow:hidden;background:#202020}
body{position:relative}</style></head><body><script type="module" src="/bench.js"></script></body></html>`;
  const server = createServer((request, response) => {
    if (request.url === '/bench.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(script);
    } else {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page);
    }
  });
  return new Promise<{ url: string; close: () => void }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => server.close() });
    });
  });
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

interface Cell {
  setup: string;
  renderer: RendererChoice;
  backend: string;
  count: number;
  medianFps: number;
  meanFps: number;
  p95FrameMs: number;
  medianScriptMs: number;
  frames: number;
}

async function measure(
  browser: Browser,
  url: string,
  choice: RendererChoice,
  options: SceneOptions,
): Promise<SceneResult> {
  const context = await browser.newContext({ viewport: stage, deviceScaleFactor: 1 });
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(() => 'danmuBench' in globalThis);
    return (await page.evaluate(
      ([rendererChoice, sceneOptions]) =>
        (
          globalThis as unknown as {
            danmuBench: { run(c: unknown, o: unknown): Promise<unknown> };
          }
        ).danmuBench.run(rendererChoice, sceneOptions),
      [choice, options] as const,
    )) as SceneResult;
  } finally {
    await context.close();
  }
}

async function main() {
  const script = await bundle();
  const server = await serve(script);
  const cells: Cell[] = [];
  const webgl: Record<string, string | null> = {};
  try {
    for (const setup of setups) {
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: [...baseArgs, ...setup.args],
      });
      try {
        const probe = await browser.newPage();
        await probe.goto(server.url);
        await probe.waitForFunction(() => 'danmuBench' in globalThis);
        webgl[setup.name] = (await probe.evaluate(() =>
          (
            globalThis as unknown as { danmuBench: { webglRenderer(): string | null } }
          ).danmuBench.webglRenderer(),
        )) as string | null;
        await probe.close();
        for (const count of counts) {
          for (const renderer of renderers) {
            const result = await measure(browser, server.url, renderer, {
              count,
              ...stage,
              warmupMs: 1000,
              measureMs,
              scrollMs: 8000,
            });
            const frames = [...result.frameTimes].sort((a, b) => a - b);
            const scripts = [...result.scriptTimes].sort((a, b) => a - b);
            const cell: Cell = {
              setup: setup.name,
              renderer,
              backend: result.backend,
              count,
              medianFps: 1000 / quantile(frames, 0.5),
              meanFps: (1000 * frames.length) / frames.reduce((sum, ms) => sum + ms, 0),
              p95FrameMs: quantile(frames, 0.95),
              medianScriptMs: quantile(scripts, 0.5),
              frames: frames.length,
            };
            cells.push(cell);
            console.log(
              `${cell.setup.padEnd(18)} ${`${renderer} (${cell.backend})`.padEnd(26)} n=${String(count).padStart(4)}` +
                `  median ${cell.medianFps.toFixed(1).padStart(5)} fps  mean ${cell.meanFps.toFixed(1).padStart(5)} fps  p95 ${cell.p95FrameMs.toFixed(1).padStart(6)} ms` +
                `  script ${cell.medianScriptMs.toFixed(2).padStart(6)} ms  (${cell.frames} frames)`,
            );
          }
        }
      } finally {
        await browser.close();
      }
    }
  } finally {
    server.close();
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `\nDanmu rendering, ${stage.width}x${stage.height} stage, ${measureMs / 1000} s per cell, ` +
      `${os.cpus().length} vCPU ${cpu}, Node ${process.versions.node}, ${(await chromiumVersion()) ?? 'Chromium'}`,
  );
  for (const setup of setups) {
    console.log(`\n${setup.name}: page WebGL = ${webgl[setup.name] ?? 'none'}`);
    console.log(
      '| comments | renderer (backend) | median FPS | mean FPS | p95 frame (ms) | script/frame (ms) | median FPS vs DOM |',
    );
    console.log('|---:|---|---:|---:|---:|---:|---:|');
    for (const count of counts) {
      const dom = cells.find(
        (c) => c.setup === setup.name && c.count === count && c.renderer === 'dom',
      );
      for (const cell of cells.filter((c) => c.setup === setup.name && c.count === count)) {
        const ratio = dom ? cell.medianFps / dom.medianFps : Number.NaN;
        console.log(
          `| ${count} | ${cell.renderer} (${cell.backend}) | ${cell.medianFps.toFixed(1)} | ${cell.meanFps.toFixed(1)} | ${cell.p95FrameMs.toFixed(1)} | ${cell.medianScriptMs.toFixed(2)} | ${ratio.toFixed(2)}x |`,
        );
      }
    }
  }
}

async function chromiumVersion(): Promise<string | null> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: baseArgs });
  try {
    return `Chromium ${browser.version()}`;
  } finally {
    await browser.close();
  }
}

await main();
