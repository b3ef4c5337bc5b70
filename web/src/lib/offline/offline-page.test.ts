import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offlinePage } from './offline-page.ts';

test('the offline page speaks the viewer language and links back', () => {
  const en = offlinePage('en', 'http://127.0.0.1/watch/3');
  assert.match(en, /<html lang="en">/);
  assert.match(en, /You are offline/);
  assert.match(en, /href="http:\/\/127.0.0.1\/watch\/3"/);
  const zh = offlinePage('zh-CN', 'http://127.0.0.1/');
  assert.match(zh, /<html lang="zh-CN">/);
  assert.match(zh, /当前处于离线状态/);
});

test('the address is escaped', () => {
  const page = offlinePage('en', 'http://x/"><script>alert(1)</script>');
  assert.ok(!page.includes('<script>'));
  assert.match(page, /&#34;&#62;&#60;script&#62;/);
});
