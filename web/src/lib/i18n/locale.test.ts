import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateLocale, preferredLocale, matchLocale } from './locale.ts';
import { format, plural, defineMessages } from './messages.ts';

test('Accept-Language picks the best supported language by quality, then order', () => {
  assert.equal(negotiateLocale('zh-TW,zh;q=0.9,en;q=0.8'), 'zh-CN');
  assert.equal(negotiateLocale('fr-FR,en;q=0.5,zh;q=0.7'), 'zh-CN');
  assert.equal(negotiateLocale('fr-FR,de;q=0.5'), 'en');
  assert.equal(negotiateLocale('zh;q=0,en'), 'en');
  assert.equal(negotiateLocale(''), 'en');
  assert.equal(negotiateLocale(null), 'en');
  assert.equal(negotiateLocale(';;;,q=abc,,'), 'en');
  assert.equal(negotiateLocale('en;q=nonsense, zh'), 'zh-CN');
});

test('browser language lists and single tags', () => {
  assert.equal(preferredLocale(['de-DE', 'zh-Hans-CN']), 'zh-CN');
  assert.equal(preferredLocale([]), 'en');
  assert.equal(matchLocale('EN_us'), 'en');
  assert.equal(matchLocale('ja'), null);
});

test('messages fill placeholders, keep unknown ones, and pluralise by CLDR rules', () => {
  assert.equal(format('Episode {n} of {total}', { n: 2, total: 10 }), 'Episode 2 of 10');
  assert.equal(format('Hello {name}'), 'Hello {name}');
  assert.equal(plural('en', 1, { one: '# like', other: '# likes' }), '1 like');
  assert.equal(plural('en', 1200, { one: '# like', other: '# likes' }), '1,200 likes');
  assert.equal(plural('zh-CN', 1, { other: '#个赞' }), '1个赞');
  const catalogue = defineMessages({
    en: { greet: (p) => `Hi ${String(p.who)}` },
    'zh-CN': { greet: '你好 {who}' },
  });
  assert.equal(format(catalogue.en.greet, { who: 'A' }), 'Hi A');
  assert.equal(format(catalogue['zh-CN'].greet, { who: 'A' }), '你好 A');
});
