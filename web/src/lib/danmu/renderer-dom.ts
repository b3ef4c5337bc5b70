import {
  danmuFontFamily,
  type DanmuRenderer,
  type SpriteBounds,
  type SpriteStyle,
} from './danmu-renderer.ts';

/**
 * Danmu as absolutely positioned text elements moved with `translate3d` (the compositor moves
 * them without layout). Widths come from a canvas 2D `measureText` in the same font, so adding a
 * comment never forces a synchronous layout; the element gets that width explicitly, which keeps
 * what the lane allocator reserved and what is drawn the same box.
 */
interface Item {
  el: HTMLDivElement;
  x: number;
  y: number;
  width: number;
  height: number;
  alpha: number;
  shown: boolean;
}

/** Room for the text outline on each side. */
const outlinePad = 2;

export function createDomRenderer(doc: Document = document): DanmuRenderer {
  const root = doc.createElement('div');
  root.setAttribute('aria-hidden', 'true');
  Object.assign(root.style, {
    position: 'absolute',
    inset: '0',
    overflow: 'hidden',
    pointerEvents: 'none',
    contain: 'strict',
  });
  const measureContext = doc.createElement('canvas').getContext('2d');
  const items = new Map<number, Item>();
  const spare: HTMLDivElement[] = [];

  function measure(style: SpriteStyle): number {
    if (!measureContext) return Math.ceil(style.text.length * style.fontSize) + outlinePad * 2;
    measureContext.font = `600 ${style.fontSize}px ${danmuFontFamily}`;
    return Math.ceil(measureContext.measureText(style.text).width) + outlinePad * 2;
  }

  function release(item: Item): void {
    item.el.style.visibility = 'hidden';
    spare.push(item.el);
  }

  return {
    backend: 'dom',
    element: root,
    resize: () => undefined,
    add(key, style) {
      let el = spare.pop();
      if (!el) {
        el = doc.createElement('div');
        Object.assign(el.style, {
          position: 'absolute',
          left: '0',
          top: '0',
          whiteSpace: 'pre',
          fontWeight: '600',
          fontFamily: danmuFontFamily,
          textShadow: '1px 0 1px #000, -1px 0 1px #000, 0 1px 1px #000, 0 -1px 1px #000',
          willChange: 'transform',
          boxSizing: 'border-box',
          textAlign: 'center',
          borderRadius: '4px',
        });
        root.append(el);
      }
      const width = measure(style);
      el.textContent = style.text;
      el.style.color = style.colour;
      el.style.fontSize = `${style.fontSize}px`;
      el.style.lineHeight = `${style.boxHeight}px`;
      el.style.width = `${width}px`;
      el.style.height = `${style.boxHeight}px`;
      el.style.outline = style.own ? '2px solid #ffffffd9' : 'none';
      el.style.outlineOffset = '-2px';
      el.style.visibility = 'hidden';
      el.style.opacity = '1';
      items.set(key, { el, x: 0, y: 0, width, height: style.boxHeight, alpha: 1, shown: false });
      return { width, height: style.boxHeight };
    },
    place(key, x, y, alpha) {
      const item = items.get(key);
      if (!item) return;
      if (item.x !== x || item.y !== y || !item.shown) {
        item.el.style.transform = `translate3d(${x}px, ${y}px, 0)`;
        item.x = x;
        item.y = y;
      }
      if (item.alpha !== alpha) {
        item.el.style.opacity = String(alpha);
        item.alpha = alpha;
      }
      if (!item.shown) {
        item.el.style.visibility = 'visible';
        item.shown = true;
      }
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
      root.style.opacity = String(opacity);
    },
    bounds(key): SpriteBounds | null {
      const item = items.get(key);
      if (!item || !item.shown) return null;
      const box = item.el.getBoundingClientRect();
      const origin = root.getBoundingClientRect();
      return {
        x: box.left - origin.left,
        y: box.top - origin.top,
        width: box.width,
        height: box.height,
      };
    },
    render: () => undefined,
    destroy() {
      items.clear();
      spare.length = 0;
      root.remove();
    },
  };
}
