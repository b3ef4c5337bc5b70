import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createLexiconMatcher } from './lexicon-matcher.ts';
import { defaultLexiconFile, loadLexiconFile, parseLexicon } from './lexicon.ts';
import { buildLexiconText, readNaughtyWords } from './lexicon/build-lexicon.ts';
import { enCuration, zhCuration } from './lexicon/curation.ts';
import { createLexiconFilter, textPolicy } from './text-filter.ts';

const shipped = loadLexiconFile(defaultLexiconFile);
const filter = createLexiconFilter(shipped, textPolicy('mask'));

async function masked(text: string): Promise<string> {
  const verdict = await filter(text, { kind: 'comment', userId: 1 });
  assert.ok(verdict.ok);
  return verdict.text;
}

test('the shipped lexicon is what build-lexicon makes of naughty-words and curation.ts', () => {
  const expected = buildLexiconText(readNaughtyWords());
  assert.ok(
    readFileSync(defaultLexiconFile, 'utf8') === expected,
    'blocked-words.txt is stale: run `node --import tsx core/src/moderation/lexicon/generate.ts`',
  );
});

test('the curation names only source entries, and every allowed word holds a kept term', () => {
  const sources = readNaughtyWords();
  for (const [language, curation, source] of [
    ['zh', zhCuration, sources.zh],
    ['en', enCuration, sources.en],
  ] as const) {
    for (const term of Object.keys(curation.dropped))
      assert.ok(source.includes(term), `${language}: dropped ${term} is not in the source`);
    for (const term of curation.inWords) {
      assert.ok(source.includes(term), `${language}: *${term}* is not in the source`);
      assert.ok(!(term in curation.dropped), `${language}: ${term} is both dropped and kept`);
    }
  }
  const keptOnly = parseLexicon(readFileSync(defaultLexiconFile, 'utf8'));
  const terms = createLexiconMatcher({ terms: keptOnly.terms, allowed: [] });
  for (const word of keptOnly.allowed)
    assert.ok(terms.test(word), `the allowed word ${word} holds no kept term: it does nothing`);
});

test('attribution: the licence and the source are named beside the file', () => {
  const header = readFileSync(defaultLexiconFile, 'utf8').split('\n').slice(0, 6).join('\n');
  assert.match(header, /LDNOOBW/);
  assert.match(header, /CC BY 4\.0/);
  const licence = readFileSync(new URL('./lexicon/LICENSE-CC-BY-4.0.txt', import.meta.url), 'utf8');
  assert.match(licence, /Attribution 4\.0 International/);
});

test('everyday Chinese and English that the raw lists would mask passes untouched', async () => {
  for (const text of [
    '这个乳酪蛋糕好吃', // 乳 (cheese)
    '我要一杯奶茶，不要牛奶', // 奶 (milk tea, milk)
    '男主的性格太好了', // 性 (character)
    '被逼迫的女主', // 逼 (forced)
    '今天是我妈妈的生日', // 妈的 inside 妈妈的
    '你妈妈做的菜真好吃', // 你妈
    '祝你全家幸福', // 你全家
    '第13.5集什么时候更新', // 13.
    '下午13点开播', // 13点
    '这部剧很有激情', // 激情
    '成人礼那集哭死', // 成人
    '处女作就这么好', // 处女
    '奸臣当道', // 奸
    '他是家里的老二', // 老二
    '买卖比例不对', // 卖比
    '小乌龟头缩进去了', // 龟头
    '干你的活去吧', // 干你
    '生日你快乐吗', // 日你
    '幹部開會', // 幹
    'The class assignment was hard',
    'Scunthorpe is a town',
    'shitake mushrooms',
    'He sniggered',
    'The pen is on the table',
    'Moby Dick is a novel',
    'My Maine Coon cat',
    'Episode 455 of the Galaxy A55 saga',
    'the playboy CEO falls in love',
    'a sex scene',
    'the girl on the train',
    'summa cum laude',
  ])
    assert.equal(await masked(text), text);
});

test('insults, slurs and their evasions are masked', async () => {
  const cases: Array<[string, string]> = [
    ['你个傻逼', '你个**'],
    ['傻 逼', '***'],
    ['傻*逼', '***'],
    ['他妈的真烦', '***真烦'],
    ['妈的', '**'],
    ['雞巴', '**'],
    ['操你妈', '***'],
    ['fuck this', '**** this'],
    ['ＦＵＣＫ', '****'],
    ['f.u.c.k', '*******'],
    ['fuсk', '****'],
    ['sh1t', '****'],
    ['motherfucker!', '************!'],
    ['🖕', '**'],
  ];
  for (const [text, expected] of cases) assert.equal(await masked(text), expected, text);
});
