import type { Application, Container, Graphics, Text } from 'pixi.js';
import { isSoftwareWebGL, webglRendererName } from './software-webgl.ts';
import {
  danmuFontFamily,
  type DanmuRenderer,
  type RendererBackend,
  type SpriteBounds,
} from './danmu-renderer.ts';

/**
 * Danmu drawn by PixiJS v8 on one transparent canvas: WebGL where the browser gives a context,
 * else Pixi's Canvas 2D renderer (`preference: ['webgl', 'canvas']`; WebGPU is left out on
 * purpose, its adapter probe costs a start-up delay and buys nothing for a few hundred quads).
 * If WebGL is reported but its context cannot be made, init is retried on Canvas 2D; if Pixi
 * cannot start at all the promise rejects and the layer falls back to the DOM renderer.
 *
 * Software WebGL (SwiftShader, llvmpipe: what a machine without a usable GPU gets) is skipped for
 * Canvas 2D by default, recognised by its renderer string (software-webgl.ts) and, where the
 * browser flags it, by failIfMajorPerformanceCaveat: bench/web-danmu.ts measured it several times
 * slower than Pixi's Canvas 2D renderer there (BENCHMARKS.md, Danmu rendering).
 *
 * Each comment is a Container holding a Text (its own texture, rasterised once when added) and a
 * Graphics border box for the viewer's own danmu. Containers are pooled: a released one keeps its
 * Text and is refilled by the next `add`, so a steady stream of danmu creates no objects per frame
 * and a frame only writes positions. The ticker is not started; the layer renders on its own
 * animation frame, and not at all while the video is paused.
 */
interface Item {
  root: Container;
  text: Text;
  box: Graphics;
}

export interface PixiRendererOptions {
  width: number;
  height: number;
  /** Device pixel ratio to render at. */
  resolution: number;
  /** Backends to try in order; the default is WebGL then Canvas 2D. */
  preference?: Array<'webgl' | 'canvas'>;
  /** Accept software WebGL (for measuring it); by default it counts as no WebGL. */
  allowSoftwareWebGL?: boolean;
}

export async function createPixiRenderer(options: PixiRendererOptions): Promise<DanmuRenderer> {
  const pixi = await import('pixi.js');
  let preference = options.preference ?? ['webgl', 'canvas'];
  if (
    !options.allowSoftwareWebGL &&
    preference.includes('webgl') &&
    isSoftwareWebGL(webglRendererName(document))
  ) {
    preference = preference.filter((backend) => backend !== 'webgl');
    if (preference.length === 0) preference = ['canvas'];
  }

  async function start(order: Array<'webgl' | 'canvas'>): Promise<Application> {
    const app = new pixi.Application();
    await app.init({
      preference: order,
      width: Math.max(1, options.width),
      height: Math.max(1, options.height),
      resolution: options.resolution,
      autoDensity: true,
      backgroundAlpha: 0,
      antialias: false,
      autoStart: false,
      sharedTicker: false,
      failIfMajorPerformanceCaveat: !options.allowSoftwareWebGL,
      eventFeatures: { move: false, globalMove: false, click: false, wheel: false },
    });
    return app;
  }

  let app: Application;
  try {
    app = await start(preference);
  } catch (error) {
    if (!preference.includes('canvas') || preference[0] === 'canvas') throw error;
    app = await start(['canvas']);
  }

  const canvas = app.canvas;
  canvas.setAttribute('aria-hidden', 'true');
  Object.assign(canvas.style, {
    position: 'absolute',
    inset: '0',
    width: '100%',
    height: '100%',
    pointerEvents: 'none',
  });
  app.stage.eventMode = 'none';
  app.stage.interactiveChildren = false;

  const items = new Map<number, Item>();
  const spare: Item[] = [];
  const backend = app.renderer.name as RendererBackend;

  function createItem(): Item {
    const root = new pixi.Container();
    const text = new pixi.Text({
      text: '',
      style: new pixi.TextStyle({
        fontFamily: danmuFontFamily,
        fontWeight: '600',
        fontSize: 20,
        fill: '#ffffff',
        stroke: { color: '#000000', width: 3, join: 'round' },
      }),
    });
    const box = new pixi.Graphics();
    root.addChild(text, box);
    root.visible = false;
    app.stage.addChild(root);
    return { root, text, box };
  }

  function release(item: Item): void {
    item.root.visible = false;
    spare.push(item);
  }

  return {
    backend,
    element: canvas,
    resize(width, height) {
      app.renderer.resize(Math.max(1, width), Math.max(1, height));
    },
    add(key, style) {
      const item = spare.pop() ?? createItem();
      item.text.text = style.text;
      item.text.style.fill = style.colour;
      item.text.style.fontSize = style.fontSize;
      const width = Math.ceil(item.text.width);
      const height = Math.max(style.boxHeight, Math.ceil(item.text.height));
      item.text.x = 0;
      item.text.y = Math.floor((height - item.text.height) / 2);
      item.box.clear();
      if (style.own) {
        item.box.roundRect(1, 1, width - 2, height - 2, 4);
        item.box.stroke({ width: 2, color: 0xffffff, alpha: 0.85 });
      }
      item.box.visible = style.own;
      item.root.alpha = 1;
      item.root.visible = false;
      items.set(key, item);
      return { width, height };
    },
    place(key, x, y, alpha) {
      const item = items.get(key);
      if (!item) return;
      item.root.position.set(x, y);
      item.root.alpha = alpha;
      item.root.visible = true;
    },
    remove(key) {
      const item = items.get(key);
      if (!item) return;
      items.delete(key);
      release(item);
    },
    clear() {
      for (const item of items.values()) release(item);
      items.clear();
    },
    setOpacity(opacity) {
      app.stage.alpha = opacity;
    },
    bounds(key): SpriteBounds | null {
      const item = items.get(key);
      if (!item || !item.root.visible) return null;
      const bounds = item.root.getBounds();
      return { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height };
    },
    render() {
      app.render();
    },
    destroy() {
      items.clear();
      spare.length = 0;
      app.destroy({ removeView: true }, { children: true, texture: true, textureSource: true });
    },
  };
}
