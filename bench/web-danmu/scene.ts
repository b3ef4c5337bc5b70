/**
 * The page side of bench/web-danmu.ts: N scrolling danmu drawn through one renderer of
 * web/src/lib/danmu, every comment moved every frame as the danmu layer does, and the time
 * between animation frames recorded. Comments wrap back to the right edge when they leave, so
 * exactly N stay on screen for the whole run.
 *
 * Bundled for the browser by the bench (esbuild); the repository's tsconfig has no DOM lib, so
 * the browser globals used here are typed by shape, and the renderer by the part of the
 * DanmuRenderer port the scene needs.
 */
export interface SceneRenderer {
  readonly backend: string;
  readonly element: unknown;
  resize(width: number, height: number): void;
  add(
    key: number,
    style: { text: string; colour: string; fontSize: number; boxHeight: number; own: boolean },
  ): { width: number; height: number };
  place(key: number, x: number, y: number, alpha: number): void;
  render(): void;
  destroy(): void;
}

export interface SceneOptions {
  count: number;
  width: number;
  height: number;
  warmupMs: number;
  measureMs: number;
  /** Video time a comment takes to cross the screen, as the layer's default. */
  scrollMs: number;
}

export interface SceneResult {
  backend: string;
  /** Milliseconds between consecutive animation frames during the measured window. */
  frameTimes: number[];
  /** Milliseconds of script per frame (positions and the renderer's render call). */
  scriptTimes: number[];
}

interface BrowserClock {
  requestAnimationFrame(callback: (time: number) => void): number;
  performance: { now(): number };
}

const words = [
  '好看',
  '哈哈哈哈',
  '233333',
  '前方高能',
  'awesome',
  '名场面',
  'CEO 太帅了',
  '打卡',
  '泪目',
  'wow this scene',
  '甜',
  '第一',
];
const colours = ['#ffffff', '#ffffff', '#ffffff', '#ffd302', '#00fffc', '#ff77bb'];

/** A deterministic PRNG (mulberry32): every renderer gets the same comments. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function runScene(renderer: SceneRenderer, options: SceneOptions): Promise<SceneResult> {
  const clock = globalThis as unknown as BrowserClock;
  const next = random(42);
  const fontSize = 20;
  const laneHeight = 28;
  const lanes = Math.max(1, Math.floor(options.height / laneHeight));
  const xs = new Float64Array(options.count);
  const ys = new Float64Array(options.count);
  const widths = new Float64Array(options.count);
  const speeds = new Float64Array(options.count);
  renderer.resize(options.width, options.height);
  for (let i = 0; i < options.count; i += 1) {
    const text = `${words[Math.floor(next() * words.length)]!}${next() < 0.5 ? ` ${i}` : ''}`;
    const { width } = renderer.add(i + 1, {
      text,
      colour: colours[i % colours.length]!,
      fontSize,
      boxHeight: laneHeight,
      own: i % 50 === 0,
    });
    widths[i] = width;
    xs[i] = next() * options.width;
    ys[i] = (i % lanes) * laneHeight;
    speeds[i] = (options.width + width) / options.scrollMs;
  }

  return new Promise((resolve) => {
    const frameTimes: number[] = [];
    const scriptTimes: number[] = [];
    const started = clock.performance.now();
    let previous: number | null = null;
    const frame = (time: number) => {
      const begin = clock.performance.now();
      const elapsed = previous === null ? 0 : time - previous;
      for (let i = 0; i < options.count; i += 1) {
        let x = xs[i]! - speeds[i]! * elapsed;
        if (x + widths[i]! < 0) x = options.width;
        xs[i] = x;
        renderer.place(i + 1, x, ys[i]!, 1);
      }
      renderer.render();
      const since = begin - started;
      if (previous !== null && since > options.warmupMs) {
        frameTimes.push(elapsed);
        scriptTimes.push(clock.performance.now() - begin);
      }
      previous = time;
      if (since < options.warmupMs + options.measureMs) clock.requestAnimationFrame(frame);
      else resolve({ backend: renderer.backend, frameTimes, scriptTimes });
    };
    clock.requestAnimationFrame(frame);
  });
}

/**
 * `pixi`: as the danmu layer creates it (WebGL, but software WebGL counts as none, then Canvas 2D);
 * `pixi-webgl`: WebGL accepted even when it is software (SwiftShader); `pixi-canvas`: Canvas 2D.
 */
export type RendererChoice = 'pixi' | 'pixi-webgl' | 'pixi-canvas' | 'dom';

/** The two renderer factories of web/src/lib/danmu, as the bench page's entry hands them over. */
export interface RendererFactories {
  dom: () => SceneRenderer;
  pixi: (options: {
    width: number;
    height: number;
    resolution: number;
    preference: Array<'webgl' | 'canvas'>;
    allowSoftwareWebGL: boolean;
  }) => Promise<SceneRenderer>;
}

interface BenchDocument {
  body: { append(element: unknown): void };
  createElement(name: 'canvas'): {
    getContext(kind: 'webgl'): {
      getExtension(name: string): { UNMASKED_RENDERER_WEBGL: number } | null;
      getParameter(name: number): unknown;
    } | null;
  };
}

/** Exposes `danmuBench.run(choice, options)` and `danmuBench.webglRenderer()` to the bench. */
export function installBench(factories: RendererFactories): void {
  const doc = (globalThis as unknown as { document: BenchDocument }).document;

  async function run(choice: RendererChoice, options: SceneOptions): Promise<SceneResult> {
    const renderer =
      choice === 'dom'
        ? factories.dom()
        : await factories.pixi({
            width: options.width,
            height: options.height,
            resolution: 1,
            preference: choice === 'pixi-canvas' ? ['canvas'] : ['webgl', 'canvas'],
            allowSoftwareWebGL: choice === 'pixi-webgl',
          });
    doc.body.append(renderer.element);
    try {
      return await runScene(renderer, options);
    } finally {
      renderer.destroy();
    }
  }

  /** The WebGL implementation this browser gives a page (a GPU or SwiftShader), or null. */
  function webglRenderer(): string | null {
    const gl = doc.createElement('canvas').getContext('webgl');
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : 'webgl (masked)');
  }

  (globalThis as unknown as { danmuBench: unknown }).danmuBench = { run, webglRenderer };
}
