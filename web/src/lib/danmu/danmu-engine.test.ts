import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DanmuComment } from './danmu-comment.ts';
import { createDanmuEngine } from './danmu-engine.ts';
import type { DanmuRenderer, SpriteBounds, SpriteStyle } from './danmu-renderer.ts';
import { normalizeSettings, type DanmuSettings } from './danmu-settings.ts';

/**
 * A renderer that keeps drawables as records (the port's contract without a browser): width is
 * 0.6 em per character, as a monospace font would draw it.
 */
function recordingRenderer(extraHeight = 0) {
  const sprites = new Map<
    number,
    { style: SpriteStyle; width: number; height: number; at: SpriteBounds | null; alpha: number }
  >();
  let renders = 0;
  let opacity = 1;
  const renderer: DanmuRenderer = {
    backend: 'dom',
    element: null as unknown as HTMLElement,
    resize: () => undefined,
    add(key, style) {
      const width = Math.ceil(style.text.length * style.fontSize * 0.6);
      const height = style.boxHeight + extraHeight;
      sprites.set(key, { style, width, at: null, alpha: 1, height });
      return { width, height };
    },
    place(key, x, y, alpha) {
      const sprite = sprites.get(key)!;
      sprite.at = { x, y, width: sprite.width, height: sprite.height };
      sprite.alpha = alpha;
    },
    remove: (key) => void sprites.delete(key),
    clear: () => sprites.clear(),
    setOpacity: (value) => void (opacity = value),
    bounds: (key) => sprites.get(key)?.at ?? null,
    render: () => void (renders += 1),
    destroy: () => sprites.clear(),
  };
  return {
    renderer,
    sprites,
    get renders() {
      return renders;
    },
    get opacity() {
      return opacity;
    },
  };
}

let mid = 0;
const danmu = (posMs: number, text = 'hello', extra: Partial<DanmuComment> = {}): DanmuComment => ({
  mid: String(++mid),
  uid: 2,
  text,
  posMs,
  mode: 'scroll',
  colour: '#ffffff',
  size: 1,
  cmid: null,
  ...extra,
});

function setup(settings: Partial<DanmuSettings> = {}, reducedMotion = false, extraHeight = 0) {
  const rec = recordingRenderer(extraHeight);
  const engine = createDanmuEngine({
    renderer: rec.renderer,
    settings: normalizeSettings({ area: 1, ...settings }),
    reducedMotion,
    isOwn: (c) => c.uid === 1,
  });
  engine.resize(400, 300);
  return { rec, engine };
}

const xOf = (
  engine: ReturnType<typeof setup>['engine'],
  rec: ReturnType<typeof recordingRenderer>,
  text: string,
) => {
  const shown = engine.shown().find((s) => s.comment.text === text);
  return shown ? rec.renderer.bounds(shown.key)!.x : null;
};

test('danmu appear when the playhead reaches them and scroll with video time', () => {
  const { rec, engine } = setup();
  engine.add(danmu(1000, 'a'));
  engine.frame(0);
  engine.frame(900);
  assert.equal(engine.shown().length, 0);
  engine.frame(1000);
  assert.equal(xOf(engine, rec, 'a'), 400, 'enters at the right edge');
  engine.frame(2000);
  const x = xOf(engine, rec, 'a')!;
  assert.ok(x < 400 && x > 300, `moved left: ${x}`);
  engine.frame(9000);
  assert.equal(engine.shown().length, 0, 'gone after the scroll time');
  assert.equal(rec.sprites.size, 0, 'its drawable released');
});

test('a paused video freezes danmu: no movement and no redraw', () => {
  const { rec, engine } = setup();
  engine.add(danmu(1000, 'a'));
  engine.frame(0);
  engine.frame(1500);
  const x = xOf(engine, rec, 'a');
  const renders = rec.renders;
  engine.frame(1500);
  engine.frame(1500);
  assert.equal(xOf(engine, rec, 'a'), x);
  assert.equal(rec.renders, renders, 'nothing changed, nothing drawn');
});

test('a seek re-syncs: the screen shows what belongs to the new time, where it would be', () => {
  const { rec, engine } = setup();
  engine.add(danmu(1000, 'early'));
  engine.add(danmu(30_000, 'later'));
  engine.add(danmu(33_000, 'later2'));
  engine.frame(0);
  engine.frame(1200);
  assert.deepEqual(
    engine.shown().map((s) => s.comment.text),
    ['early'],
  );
  engine.frame(34_000);
  assert.deepEqual(
    engine.shown().map((s) => s.comment.text),
    ['later', 'later2'],
  );
  // 'later' started 4 s ago: half way across (8 s scroll).
  const w = rec.sprites.get(engine.shown()[0]!.key)!.width;
  assert.equal(xOf(engine, rec, 'later'), 400 - ((400 + w) * 4000) / 8000);
  engine.frame(500);
  assert.deepEqual(
    engine.shown().map((s) => s.comment.text),
    [],
    'seek back before any danmu',
  );
});

test('at twice the playback rate danmu cross in half the real time', () => {
  // The engine only sees video time: 2x means the video clock advances 2 s per real second.
  const { rec, engine } = setup();
  engine.add(danmu(0, 'a'));
  engine.frame(0);
  const realFrames = 4000 / 16;
  for (let i = 1; i <= realFrames; i += 1) engine.frame(i * 16 * 2);
  assert.equal(engine.shown().length, 0, 'gone after 4 s of real time at 2x');
  assert.ok(rec.renders > 0);
});

for (const extra of [0, 4])
  test(`no two shown danmu overlap, even in a burst (drawing ${extra} px taller than its line)`, () => {
    const { rec, engine } = setup({}, false, extra);
    for (let i = 0; i < 200; i += 1) engine.add(danmu(1000 + i * 10, 'x'.repeat(1 + (i % 17))));
    engine.frame(0);
    for (let t = 0; t <= 12_000; t += 16) {
      engine.frame(t);
      const rects = engine.shown().map((s) => rec.renderer.bounds(s.key)!);
      for (let i = 0; i < rects.length; i += 1)
        for (let j = i + 1; j < rects.length; j += 1) {
          const a = rects[i]!;
          const b = rects[j]!;
          const apart =
            a.x + a.width <= b.x ||
            b.x + b.width <= a.x ||
            a.y + a.height <= b.y ||
            b.y + b.height <= a.y;
          assert.ok(apart, `t=${t}: ${JSON.stringify(a)} ${JSON.stringify(b)}`);
        }
    }
  });

test('settings: off shows nothing; blocked keywords and modes never take a lane', () => {
  const off = setup({ enabled: false });
  off.engine.add(danmu(100));
  off.engine.frame(0);
  off.engine.frame(200);
  assert.equal(off.engine.shown().length, 0);

  const { engine } = setup({ blockedKeywords: ['spoiler'], blockedModes: ['top'] });
  engine.add(danmu(100, 'big spoiler'));
  engine.add(danmu(100, 'fine', { mode: 'top' }));
  engine.add(danmu(100, 'fine too'));
  engine.add(danmu(100, 'my spoiler', { uid: 1 }));
  engine.frame(0);
  engine.frame(200);
  assert.deepEqual(
    engine.shown().map((s) => [s.comment.text, s.own]),
    [
      ['fine too', false],
      ['my spoiler', true],
    ],
  );
});

test('changing settings re-syncs at the current time and applies opacity', () => {
  const { rec, engine } = setup();
  engine.add(danmu(100, 'a'));
  engine.frame(0);
  engine.frame(200);
  engine.setSettings(normalizeSettings({ area: 1, blockedKeywords: ['a'], opacity: 0.5 }));
  assert.equal(engine.shown().length, 0);
  assert.equal(rec.opacity, 0.5);
  engine.setSettings(normalizeSettings({ area: 1 }));
  assert.equal(engine.shown().length, 1);
});

test('a live or just-sent danmu enters now; one far from the playhead waits for its moment', () => {
  const { rec, engine } = setup();
  engine.frame(0);
  engine.frame(10_000);
  const live = danmu(9_000, 'live');
  engine.addNow(live);
  engine.addNow(danmu(60_000, 'elsewhere'));
  engine.frame(10_016);
  assert.deepEqual(
    engine.shown().map((s) => s.comment.text),
    ['live'],
  );
  assert.equal(xOf(engine, rec, 'live'), 400, 'from the right edge, not mid-screen');
  assert.equal(
    engine.addNow(danmu(9_000, 'live', { mid: live.mid })),
    false,
    'deduplicated by mid',
  );
});

test('a failed own send is taken off the screen', () => {
  const { engine } = setup();
  engine.frame(0);
  engine.addNow(danmu(0, 'mine', { mid: null, uid: 1, cmid: 'cmid-00001' }));
  engine.frame(16);
  assert.equal(engine.shown().length, 1);
  engine.removeByCmid('cmid-00001');
  assert.equal(engine.shown().length, 0);
  assert.equal(engine.known, 0);
});

test('reduced motion: scroll danmu stand still, centred, and fade out', () => {
  const { rec, engine } = setup({}, true);
  engine.add(danmu(1000, 'calm'));
  engine.frame(0);
  engine.frame(1000);
  const x = xOf(engine, rec, 'calm');
  engine.frame(3000);
  assert.equal(xOf(engine, rec, 'calm'), x, 'does not move');
  const shown = engine.shown()[0]!;
  assert.equal(x, (400 - rec.sprites.get(shown.key)!.width) / 2);
  engine.frame(4000);
  engine.frame(4700);
  assert.ok(rec.sprites.get(shown.key)!.alpha < 1, 'fading near its end');
  engine.frame(5100);
  assert.equal(engine.shown().length, 0, 'gone after the fixed display time');
});

test('a resize re-lays out what is shown inside the new stage', () => {
  const { rec, engine } = setup({ area: 0.25 });
  for (let i = 0; i < 10; i += 1) engine.add(danmu(100, `n${i}`));
  engine.frame(0);
  engine.frame(200);
  const before = engine.shown().length;
  engine.resize(400, 900);
  assert.ok(engine.shown().length > before, `${before} → ${engine.shown().length}`);
  for (const s of engine.shown())
    assert.ok(rec.renderer.bounds(s.key)!.y + s.placement.height <= 900 * 0.25 + 1);
});

test('a history page that arrives late shows what belongs on screen now, where it would be', () => {
  const { rec, engine } = setup();
  engine.frame(0);
  engine.frame(10_000);
  const added = engine.addHistory([
    danmu(1000, 'passed'),
    danmu(9000, 'now'),
    danmu(14_000, 'ahead'),
  ]);
  assert.equal(added, 3);
  assert.deepEqual(
    engine.shown().map((s) => s.comment.text),
    ['now'],
    '1 s ago: on screen; 9 s ago: gone',
  );
  const shown = engine.shown()[0]!;
  const w = rec.sprites.get(shown.key)!.width;
  assert.equal(xOf(engine, rec, 'now'), 400 - ((400 + w) * 1000) / 8000);
  assert.equal(engine.addHistory([danmu(9000, 'now', { mid: shown.comment.mid })]), 0);
});

test('an empty screen is drawn once, not every frame', () => {
  const { rec, engine } = setup();
  engine.frame(0);
  const after = rec.renders;
  for (let t = 16; t < 1000; t += 16) engine.frame(t);
  assert.equal(rec.renders, after, 'nothing to show, nothing drawn');
  engine.add(danmu(1000, 'a'));
  engine.frame(1008);
  assert.equal(rec.renders, after + 1);
  engine.frame(9100);
  const cleared = rec.renders;
  assert.ok(cleared > after + 1, 'the frame that removed the last one is drawn');
  engine.frame(9116);
  engine.frame(9132);
  assert.equal(rec.renders, cleared);
});
