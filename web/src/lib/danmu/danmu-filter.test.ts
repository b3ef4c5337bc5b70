import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DanmuComment } from './danmu-comment.ts';
import { createDanmuFilter, stableShare } from './danmu-filter.ts';
import { normalizeSettings } from './danmu-settings.ts';

const comment = (text: string, mode: DanmuComment['mode'] = 'scroll', mid = '1'): DanmuComment => ({
  mid,
  uid: 9,
  text,
  posMs: 0,
  mode,
  colour: '#ffffff',
  size: 1,
  cmid: null,
});

test('blocked keywords hide danmu case-insensitively and across full-width forms', () => {
  const filter = createDanmuFilter(normalizeSettings({ blockedKeywords: ['spoiler', '剧透'] }));
  assert.equal(filter(comment('no SPOILER please'), false), false);
  assert.equal(filter(comment('ｓｐｏｉｌｅｒ'), false), false);
  assert.equal(filter(comment('前方剧透'), false), false);
  assert.equal(filter(comment('great scene'), false), true);
});

test('blocked modes hide those modes only', () => {
  const filter = createDanmuFilter(normalizeSettings({ blockedModes: ['top', 'bottom'] }));
  assert.equal(filter(comment('a', 'top'), false), false);
  assert.equal(filter(comment('a', 'bottom'), false), false);
  assert.equal(filter(comment('a', 'scroll'), false), true);
});

test('your own danmu always pass', () => {
  const filter = createDanmuFilter(
    normalizeSettings({ blockedKeywords: ['a'], blockedModes: ['scroll'], density: 0.1 }),
  );
  assert.equal(filter(comment('a', 'scroll'), true), true);
});

test('density keeps about its share, the same ones every time', () => {
  const filter = createDanmuFilter(normalizeSettings({ density: 0.3 }));
  const comments = Array.from({ length: 2000 }, (_, i) => comment('x', 'scroll', String(i + 1)));
  const kept = comments.filter((c) => filter(c, false));
  assert.ok(kept.length > 500 && kept.length < 700, `${kept.length} of 2000`);
  assert.deepEqual(
    comments.filter((c) => filter(c, false)),
    kept,
  );
  assert.equal(createDanmuFilter(normalizeSettings({ density: 1 }))(comments[0]!, false), true);
  for (const mid of ['1', 'abc', '999999']) {
    const share = stableShare(mid);
    assert.ok(share >= 0 && share < 1);
  }
});
