import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKeywordFilter, loadKeywordFilter } from './text-filter.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ctx = { kind: 'danmu' as const, userId: 1 };

test('mask replaces listed words whatever their case or width, and leaves the rest', async () => {
  const filter = createKeywordFilter({ words: ['spoiler', '剧透'], mode: 'mask' });
  assert.deepEqual(await filter('No SPOILER please', ctx), { ok: true, text: 'No ******* please' });
  assert.deepEqual(await filter('ｓｐｏｉｌｅｒ!', ctx), { ok: true, text: '*******!' });
  assert.deepEqual(await filter('别剧透啊', ctx), { ok: true, text: '别**啊' });
  assert.deepEqual(await filter('all good', ctx), { ok: true, text: 'all good' });
});

test('reject refuses the whole text', async () => {
  const filter = createKeywordFilter({ words: ['spam link'], mode: 'reject' });
  assert.deepEqual(await filter('buy SPAM LINK now', ctx), { ok: false, reason: 'blocked word' });
  assert.deepEqual(await filter('fine', ctx), { ok: true, text: 'fine' });
});

test('a word list file: one entry per line, # comments and blanks ignored', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'words-'));
  const file = path.join(dir, 'words.txt');
  writeFileSync(file, '# house list\nbadword\n\n  other phrase  \n');
  const filter = loadKeywordFilter(file, 'mask');
  assert.deepEqual(await filter('a badword and other phrase', ctx), {
    ok: true,
    text: 'a ******* and ************',
  });
});
