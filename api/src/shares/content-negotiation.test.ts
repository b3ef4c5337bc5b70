import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardLanguage, prefersJson } from './content-negotiation.ts';

test('prefersJson: JSON named above HTML, never a browser', () => {
  const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8';
  assert.equal(prefersJson(browser), false);
  assert.equal(prefersJson(undefined), false);
  assert.equal(prefersJson(''), false);
  assert.equal(prefersJson('*/*'), false);
  assert.equal(prefersJson('application/json'), true);
  assert.equal(prefersJson('application/problem+json'), true);
  assert.equal(prefersJson('application/json, text/plain, */*'), true);
  assert.equal(prefersJson('text/html, application/json'), false, 'a tie is a page');
  assert.equal(prefersJson('text/html;q=0.5, application/json'), true);
  assert.equal(prefersJson('application/json;q=0.2, text/*;q=0.9'), false);
  assert.equal(prefersJson('application/json;q=0'), false);
  assert.equal(prefersJson('application/json;q=banana'), false);
});

test('cardLanguage: the first of zh and en by weight, English otherwise', () => {
  assert.equal(cardLanguage('zh-CN,zh;q=0.9,en;q=0.8'), 'zh');
  assert.equal(cardLanguage('en-US,en;q=0.9,zh-CN;q=0.8'), 'en');
  assert.equal(cardLanguage('fr-FR, zh-TW;q=0.7, en;q=0.5'), 'zh');
  assert.equal(cardLanguage('en;q=0.4, zh;q=0.6'), 'zh');
  assert.equal(cardLanguage('de'), 'en');
  assert.equal(cardLanguage(undefined), 'en');
  assert.equal(cardLanguage('zh;q=0, en'), 'en');
});
