import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { seededRandom } from '../protocol/crdt/seeded-random.ts';
import { createLexiconMatcher } from './lexicon-matcher.ts';
import { parseLexiconEntries } from './lexicon.ts';
import {
  createKeywordFilter,
  loadKeywordFilter,
  maskAll,
  textKinds,
  textPolicy,
  type TextFilter,
  type TextKind,
} from './text-filter.ts';

const ctx = { kind: 'danmu' as const, userId: 1 };

async function textOf(filter: TextFilter, text: string, kind: TextKind = 'danmu') {
  const verdict = await filter(text, { kind, userId: 1 });
  assert.ok(verdict.ok, `${JSON.stringify(text)} was rejected`);
  return verdict.text;
}

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

test('the policy: names are refused, DMs masked, the public kinds follow the mode', async () => {
  for (const mode of ['mask', 'reject'] as const) {
    const filter = createKeywordFilter({ words: ['badword'], mode });
    for (const kind of textKinds) {
      const verdict = await filter('a badword', { kind, userId: 1 });
      const expected = kind === 'name' ? 'reject' : kind === 'dm' ? 'mask' : mode;
      assert.equal(verdict.ok ? 'mask' : 'reject', expected, `${kind} in ${mode} mode`);
      assert.equal(textPolicy(mode)[kind], expected);
    }
  }
  const everywhere = createKeywordFilter({
    words: ['badword'],
    policy: { ...textPolicy('mask'), dm: 'reject' },
  });
  assert.equal((await everywhere('badword', { kind: 'dm', userId: 1 })).ok, false);
});

test('whole words in spaced scripts, anywhere in Chinese, *term* inside words', async () => {
  const filter = createKeywordFilter({ words: ['ass', '*fuck*', '傻逼'] });
  assert.equal(await textOf(filter, 'class pass assignment'), 'class pass assignment');
  assert.equal(await textOf(filter, 'you ass.'), 'you ***.');
  assert.equal(
    await textOf(filter, '你ass了'),
    '你***了',
    'Chinese around a Latin word is a boundary',
  );
  assert.equal(await textOf(filter, 'fuckface'), '****face');
  assert.equal(await textOf(filter, '你个傻逼啊'), '你个**啊');
});

test('split letters: f.u.c.k and f u c k, 傻 逼 and 傻*逼; never "the pen is"', async () => {
  const filter = createKeywordFilter({ words: ['fuck', 'penis', '傻逼', 'blow job'] });
  assert.equal(await textOf(filter, 'f.u.c.k'), '*******');
  assert.equal(await textOf(filter, 'oh f u c k off'), 'oh ******* off');
  assert.equal(await textOf(filter, 'fu.ck'), '*****');
  assert.equal(await textOf(filter, '傻 逼'), '***');
  assert.equal(await textOf(filter, '傻*逼'), '***');
  assert.equal(await textOf(filter, '傻___逼'), '*****');
  assert.equal(await textOf(filter, 'the pen is red'), 'the pen is red');
  assert.equal(await textOf(filter, 'a blow-job'), 'a ********');
  assert.equal(await textOf(filter, 'fu ck'), 'fu ck', 'one space between two halves is words');
});

test('evasions: full width, look-alike letters, zero-width characters, accents, leetspeak', async () => {
  const filter = createKeywordFilter({ words: ['fuck', 'shit', 'ass', 'bitch'] });
  assert.equal(await textOf(filter, 'ＦＵＣＫ'), '****');
  assert.equal(await textOf(filter, 'fuсk'), '****', 'Cyrillic с');
  assert.equal(await textOf(filter, 'ВІТСН'), '*****', 'all Cyrillic capitals');
  assert.equal(await textOf(filter, 'f\u200Buck'), '*****');
  assert.equal(await textOf(filter, 'fu\u0301ck'), '*****');
  assert.equal(await textOf(filter, 'sh1t'), '****');
  assert.equal(await textOf(filter, '$h1t'), '****');
  assert.equal(await textOf(filter, '@ss'), '***');
  assert.equal(await textOf(filter, 'b1tch'), '*****');
  // Numbers and model names are not leetspeak: a hit needs as many real letters as digits.
  assert.equal(await textOf(filter, 'Episode 455'), 'Episode 455');
  assert.equal(await textOf(filter, 'Galaxy A55'), 'Galaxy A55');
});

test('allowed words keep a term from firing inside them, and only there', async () => {
  const filter = createKeywordFilter({ words: ['妈的', '!妈妈的'] });
  assert.equal(await textOf(filter, '我妈妈的生日'), '我妈妈的生日');
  assert.equal(await textOf(filter, '妈的，气死了'), '**，气死了');
  assert.equal(await textOf(filter, '妈妈的妈的'), '妈妈的**');
});

test('masking never leaves a term that masking itself joined together', async () => {
  const filter = createKeywordFilter({ words: ['傻逼', '他妈的'] });
  // Masking 他妈的 leaves 傻***逼, which reads 傻逼 across the stars.
  assert.equal(await textOf(filter, '傻他妈的逼'), '*****');
});

test('property: a masked text holds nothing the matcher finds, and keeps its length', async () => {
  const lexicon = parseLexiconEntries([
    'fuck',
    '*shit*',
    'ass',
    '傻逼',
    '他妈的',
    '妈的',
    '!妈妈的',
  ]);
  const matcher = createLexiconMatcher(lexicon);
  const random = seededRandom(4242);
  const pieces = [
    'fuck',
    'f',
    'u',
    'c',
    'k',
    'shit',
    'sh1t',
    'ass',
    '@',
    '5',
    '傻',
    '逼',
    '他',
    '妈',
    '的',
    ' ',
    '.',
    '*',
    '\u200B',
    'Ｆ',
    'с',
    'a',
    'class',
    '🖕',
    '\u0301',
    'x',
    '妈妈的',
    '\uD800',
  ];
  for (let round = 0; round < 2000; round += 1) {
    let text = '';
    const n = random.int(0, 12);
    for (let i = 0; i < n; i += 1) text += random.pick(pieces);
    const out = maskAll(matcher, text);
    assert.equal(out.length, text.length, JSON.stringify(text));
    assert.deepEqual(matcher.spans(out), [], `${JSON.stringify(text)} → ${JSON.stringify(out)}`);
    assert.equal(matcher.test(out), false);
    assert.equal(matcher.test(text), out !== text, JSON.stringify(text));
  }
});

test('property: random Unicode never throws in either mode', async () => {
  const random = seededRandom(99);
  const mask = createKeywordFilter({ words: ['fuck', '傻逼', '🖕'], mode: 'mask' });
  const reject = createKeywordFilter({ words: ['fuck', '傻逼', '🖕'], mode: 'reject' });
  for (let round = 0; round < 500; round += 1) {
    let text = '';
    const n = random.int(0, 30);
    for (let i = 0; i < n; i += 1) text += String.fromCodePoint(random.int(0, 0x10ffff));
    const masked = await mask(text, ctx);
    assert.ok(masked.ok);
    assert.equal(masked.text.length, text.length);
    await reject(text, ctx);
  }
});
