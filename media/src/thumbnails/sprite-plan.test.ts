import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSpriteVtt, planSprite } from './sprite-plan.ts';

test('a 45 s portrait video: 23 thumbs in 10 columns, 3 rows, 90x160', () => {
  const plan = planSprite({ durationSeconds: 45, width: 720, height: 1280 });
  assert.deepEqual(plan, {
    intervalSeconds: 2,
    columns: 10,
    rows: 3,
    count: 23,
    thumbWidth: 90,
    thumbHeight: 160,
  });
  const vtt = buildSpriteVtt(plan, 45, 'sprite.jpg');
  const lines = vtt.split('\n');
  assert.equal(lines[0], 'WEBVTT');
  assert.equal(lines[2], '00:00:00.000 --> 00:00:02.000');
  assert.equal(lines[3], 'sprite.jpg#xywh=0,0,90,160');
  assert.ok(vtt.includes('00:00:20.000 --> 00:00:22.000\nsprite.jpg#xywh=0,160,90,160'));
  assert.ok(vtt.includes('00:00:44.000 --> 00:00:45.000\nsprite.jpg#xywh=180,320,90,160'));
  assert.equal(vtt.match(/-->/g)!.length, 23);
});

test('short videos get a single row', () => {
  const plan = planSprite({ durationSeconds: 3, width: 180, height: 320 });
  assert.equal(plan.columns, 2);
  assert.equal(plan.rows, 1);
  assert.equal(buildSpriteVtt(plan, 3, 'sprite.jpg').match(/-->/g)!.length, 2);
});
