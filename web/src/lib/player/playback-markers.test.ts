import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markerState } from './playback-markers.ts';

const next = { episodeId: 8, number: 2, isFree: true };

test('offers skip inside the intro only', () => {
  const info = {
    intro: { startMs: 1000, endMs: 6000 },
    outro: null,
    next: null,
    durationMs: 60_000,
  };
  assert.equal(markerState(500, info).skipIntro, false);
  assert.equal(markerState(1000, info).skipIntro, true);
  assert.equal(markerState(5000, info).skipIntro, true);
  assert.equal(
    markerState(5900, info).skipIntro,
    false,
    'not in the last instant, where a skip is moot',
  );
  assert.equal(markerState(6000, info).skipIntro, false);
});

test('prompts for the next episode from the outro marker', () => {
  const info = { intro: null, outro: { startMs: 50_000 }, next, durationMs: 60_000 };
  assert.equal(markerState(49_999, info).nextPrompt, false);
  assert.equal(markerState(50_000, info).nextPrompt, true);
});

test('without an outro the prompt shows in the final seconds', () => {
  const info = { intro: null, outro: null, next, durationMs: 60_000 };
  assert.equal(markerState(54_000, info).nextPrompt, false);
  assert.equal(markerState(55_000, info).nextPrompt, true);
});

test('no prompt on the last episode, nor on clips too short for one', () => {
  assert.equal(
    markerState(59_000, { intro: null, outro: { startMs: 1 }, next: null, durationMs: 60_000 })
      .nextPrompt,
    false,
  );
  assert.equal(
    markerState(9_000, { intro: null, outro: null, next, durationMs: 9_500 }).nextPrompt,
    false,
  );
});
