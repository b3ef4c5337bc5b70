import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isTypingTarget,
  shortcutFor,
  stepRate,
  type ShortcutContext,
  type ShortcutKey,
} from './shortcuts.ts';

const feed: ShortcutContext = { mode: 'feed', playbackRate: 1 };
const series: ShortcutContext = { mode: 'series', playbackRate: 1 };

function press(key: string, extra: Partial<ShortcutKey> = {}): ShortcutKey {
  return { key, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, ...extra };
}

/** An element by shape: `closest` answers for the selectors its tag would match. */
function element(matches: (selector: string) => boolean, isContentEditable = false) {
  return {
    isContentEditable,
    closest: (selector: string) => (matches(selector) ? {} : null),
  };
}
const input = element((selector) => selector.split(',')[0]?.trim() === 'input');
const button = element((selector) => selector.startsWith('button'));
const editable = element(() => false, true);
const plain = element(() => false);

test('play, seek and mute keys', () => {
  assert.deepEqual(shortcutFor(press(' '), feed), { type: 'togglePlay' });
  assert.deepEqual(shortcutFor(press('k'), feed), { type: 'togglePlay' });
  assert.deepEqual(shortcutFor(press('K', { shiftKey: true }), feed), { type: 'togglePlay' });
  assert.deepEqual(shortcutFor(press('ArrowLeft'), feed), { type: 'seekBy', seconds: -5 });
  assert.deepEqual(shortcutFor(press('ArrowRight'), feed), { type: 'seekBy', seconds: 5 });
  assert.deepEqual(shortcutFor(press('j'), feed), { type: 'seekBy', seconds: -10 });
  assert.deepEqual(shortcutFor(press('l'), feed), { type: 'seekBy', seconds: 10 });
  assert.deepEqual(shortcutFor(press('m'), feed), { type: 'toggleMute' });
  assert.deepEqual(shortcutFor(press('f'), feed), { type: 'toggleFullscreen' });
  assert.deepEqual(shortcutFor(press('p'), feed), { type: 'togglePip' });
  assert.deepEqual(shortcutFor(press('d'), feed), { type: 'toggleDanmu' });
});

test('up and down move through the feed, and change the volume in the series player', () => {
  assert.deepEqual(shortcutFor(press('ArrowUp'), feed), { type: 'navigate', direction: 'prev' });
  assert.deepEqual(shortcutFor(press('ArrowDown'), feed), { type: 'navigate', direction: 'next' });
  assert.deepEqual(shortcutFor(press('ArrowUp'), series), { type: 'volumeBy', delta: 0.1 });
  assert.deepEqual(shortcutFor(press('ArrowDown'), series), { type: 'volumeBy', delta: -0.1 });
});

test('digits jump to tenths of the video', () => {
  assert.deepEqual(shortcutFor(press('0'), feed), { type: 'seekToFraction', fraction: 0 });
  assert.deepEqual(shortcutFor(press('7'), feed), { type: 'seekToFraction', fraction: 0.7 });
  assert.equal(shortcutFor(press('&', { shiftKey: true }), feed), null);
});

test('next episode needs Shift+N', () => {
  assert.deepEqual(shortcutFor(press('N', { shiftKey: true }), series), { type: 'nextEpisode' });
  assert.equal(shortcutFor(press('n'), series), null);
  // Caps Lock gives "N" without Shift: still not a command.
  assert.equal(shortcutFor(press('N'), series), null);
});

test('< and > step the speed through the list and stop at its ends', () => {
  assert.deepEqual(shortcutFor(press('>', { shiftKey: true }), feed), {
    type: 'setRate',
    rate: 1.25,
  });
  assert.deepEqual(shortcutFor(press('<', { shiftKey: true }), feed), {
    type: 'setRate',
    rate: 0.75,
  });
  assert.deepEqual(shortcutFor(press('>'), { ...feed, playbackRate: 2 }), {
    type: 'setRate',
    rate: 3,
  });
  assert.equal(shortcutFor(press('>'), { ...feed, playbackRate: 3 }), null);
  assert.equal(shortcutFor(press('<'), { ...feed, playbackRate: 0.5 }), null);
  assert.equal(stepRate(1.1, 1), 1.25);
  assert.equal(stepRate(1.1, -1), 1);
  assert.equal(stepRate(Number.NaN, 1), 1);
  assert.equal(stepRate(4, -1), 3);
});

test('Alt, Ctrl, Meta and IME composition pass through', () => {
  for (const modifier of ['altKey', 'ctrlKey', 'metaKey', 'isComposing'] as const) {
    assert.equal(shortcutFor(press('k', { [modifier]: true }), feed), null, modifier);
    assert.equal(shortcutFor(press('ArrowLeft', { [modifier]: true }), feed), null, modifier);
  }
});

test('no action while typing in inputs, textareas or contenteditable', () => {
  for (const target of [input, editable]) {
    assert.equal(shortcutFor(press('k', { target }), feed), null);
    assert.equal(shortcutFor(press(' ', { target }), feed), null);
    assert.equal(shortcutFor(press('ArrowLeft', { target }), feed), null);
    assert.equal(shortcutFor(press('5', { target }), feed), null);
  }
  assert.equal(isTypingTarget(input), true);
  assert.equal(isTypingTarget(editable), true);
  assert.equal(isTypingTarget(plain), false);
  assert.equal(isTypingTarget(null), false);
  assert.equal(isTypingTarget({ closest: 'not a function' }), false);
  assert.deepEqual(shortcutFor(press('k', { target: plain }), feed), { type: 'togglePlay' });
});

test('Space on a focused button presses the button, other keys still work there', () => {
  assert.equal(shortcutFor(press(' ', { target: button }), feed), null);
  assert.deepEqual(shortcutFor(press('k', { target: button }), feed), { type: 'togglePlay' });
});

test('held keys repeat seeking and volume, never toggles or navigation', () => {
  const held = { repeat: true };
  assert.deepEqual(shortcutFor(press('ArrowRight', held), feed), { type: 'seekBy', seconds: 5 });
  assert.deepEqual(shortcutFor(press('ArrowUp', held), series), { type: 'volumeBy', delta: 0.1 });
  for (const key of [' ', 'k', 'm', 'f', 'p', 'd', '3', 'ArrowDown']) {
    assert.equal(shortcutFor(press(key, held), feed), null, key);
  }
});

test('features the player lacks leave their keys alone', () => {
  const bare: ShortcutContext = {
    ...series,
    available: { pip: false, fullscreen: false, danmu: false, nextEpisode: false },
  };
  for (const key of ['p', 'f', 'd']) assert.equal(shortcutFor(press(key), bare), null, key);
  assert.equal(shortcutFor(press('N', { shiftKey: true }), bare), null);
  assert.equal(shortcutFor(press('c'), feed), null);
  assert.equal(shortcutFor(press('Escape'), feed), null);
});
