/**
 * The port the danmu engine draws through. Two adapters: PixiJS (WebGL, or Canvas 2D where WebGL
 * is missing; renderer-pixi.ts) and DOM elements moved by CSS transforms (renderer-dom.ts), the
 * fallback when Pixi cannot start and the peer it is benchmarked against.
 *
 * The engine owns layout (lanes, positions by video time); a renderer owns drawables. Drawables
 * are pooled and reused: `add` reuses a released one, so a steady stream of danmu allocates
 * nothing per frame; `place` is the only call made every frame per comment.
 */
export type RendererBackend = 'webgl' | 'webgpu' | 'canvas' | 'dom';

export interface SpriteStyle {
  readonly text: string;
  /** `#rrggbb`. */
  readonly colour: string;
  /** Font size in CSS pixels. */
  readonly fontSize: number;
  /** Height of the box the text is centred in (its line); the drawing may ask for more. */
  readonly boxHeight: number;
  /** The viewer's own danmu gets a border box. */
  readonly own: boolean;
}

export interface SpriteBounds {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface DanmuRenderer {
  /** The backend actually in use (Pixi may have fallen back from WebGL to Canvas). */
  readonly backend: RendererBackend;
  /** The element to mount over the video (a canvas, or a div of text elements). */
  readonly element: HTMLElement;
  resize(width: number, height: number): void;
  /**
   * Prepares the drawable for `key`, hidden until placed; answers the box it draws in: its width,
   * and `boxHeight` or more when the text with its outline is taller.
   */
  add(key: number, style: SpriteStyle): { width: number; height: number };
  /** Shows the drawable with its top-left corner at (x, y), in CSS pixels of the stage. */
  place(key: number, x: number, y: number, alpha: number): void;
  remove(key: number): void;
  clear(): void;
  /** Opacity of the whole layer. */
  setOpacity(opacity: number): void;
  /** Where the drawable is drawn now, read back from it; null when it is not shown. */
  bounds(key: number): SpriteBounds | null;
  /** Draws the frame (Pixi renders the stage; the DOM renderer has nothing left to do). */
  render(): void;
  destroy(): void;
}

/** The font stack both renderers use, so measured widths agree with what is drawn. */
export const danmuFontFamily =
  '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", system-ui, sans-serif';
