/**
 * The keyword filter every danmu, chat line, DM, name, bio, comment and review passes, on the
 * shipped lexicon (core/src/moderation), beside the filter it replaced: NFKC and lower case, then
 * `includes` and `indexOf` for every listed word (no evasions caught, no whole words, no
 * allow-list), measured in the same run over the same lines.
 *
 *   npm run bench:moderation                 # 20,000 lines, 5 rounds
 *   LINES=2000 ROUNDS=2 npm run bench:moderation
 */
import { performance } from 'node:perf_hooks';
import { createLexiconMatcher } from '@binge/core/moderation/lexicon-matcher';
import { defaultLexiconFile, loadLexiconFile } from '@binge/core/moderation/lexicon';
import { createLexiconFilter, textPolicy } from '@binge/core/moderation/text-filter';
import { seededRandom } from '@binge/core/protocol/crdt/seeded-random';

const lineCount = Number(process.env.LINES ?? 20_000);
const rounds = Number(process.env.ROUNDS ?? 5);

const lexicon = loadLexiconFile(defaultLexiconFile);

/** The pre-issue filter (git history: realtime/src/gateway/text-filter.ts), kept here as the peer. */
function naiveMask(words: readonly string[]): (text: string) => string {
  const fold = (text: string) => text.normalize('NFKC').toLowerCase();
  const folded = [...new Set(words.map((w) => fold(w)))].sort((a, b) => b.length - a.length);
  return (text) => {
    const lower = fold(text);
    const hits = folded.filter((w) => lower.includes(w));
    if (hits.length === 0 || lower.length !== text.length) return text;
    const units = text.split('');
    for (const word of hits)
      for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + word.length))
        for (let i = at; i < at + word.length; i += 1) units[i] = '*';
    return units.join('');
  };
}

/** Danmu-like lines: mostly clean Chinese and English, some with listed words and evasions. */
function corpus(n: number): { lines: string[]; dirtyLines: number } {
  const random = seededRandom(20261123);
  const clean = [
    '前方高能',
    '哈哈哈哈哈',
    '男主太帅了',
    '这集好虐',
    '追更追更',
    '妈妈的生日快乐',
    '乳酪蛋糕',
    'so good',
    'omg this ending',
    'the class assignment',
    'who else is here in 2026',
    '666',
    '第13.5集',
    '好看！！！',
    'plot twist',
    'Galaxy A55',
    '性格真好',
    '逼迫女主',
  ];
  const dirty = [
    '傻逼',
    '傻 逼',
    '他妈的',
    'fuck',
    'f.u.c.k',
    'ＦＵＣＫ',
    'sh1t',
    '操你妈',
    'fuсk',
  ];
  const lines: string[] = [];
  let dirtyLines = 0;
  for (let i = 0; i < n; i += 1) {
    const words = random.int(1, 4);
    const parts: string[] = [];
    let isDirty = false;
    for (let w = 0; w < words; w += 1) {
      const pickDirty = random.next() < 0.08;
      isDirty ||= pickDirty;
      parts.push(pickDirty ? random.pick(dirty) : random.pick(clean));
    }
    if (isDirty) dirtyLines += 1;
    lines.push(parts.join(random.pick([' ', '', '，'])));
  }
  return { lines, dirtyLines };
}

function time(label: string, lines: readonly string[], run: (line: string) => unknown) {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const start = performance.now();
    for (const line of lines) run(line);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  return {
    filter: label,
    'lines/s': Math.round((lines.length / median) * 1000).toLocaleString('en'),
    'µs/line': ((median * 1000) / lines.length).toFixed(1),
  };
}

const { lines, dirtyLines } = corpus(lineCount);
const buildStart = performance.now();
const matcher = createLexiconMatcher(lexicon);
const buildMs = performance.now() - buildStart;
const filter = createLexiconFilter(lexicon, textPolicy('mask'));
const naive = naiveMask(lexicon.terms.map((t) => t.text));
const ctx = { kind: 'danmu' as const, userId: 1 };

// Warm both, so the first round does not pay for JIT and caches.
for (const line of lines.slice(0, 2000)) {
  filter(line, ctx);
  naive(line);
}
const masked = lines.filter((line) => {
  const verdict = filter(line, ctx) as { ok: true; text: string };
  return verdict.text !== line;
}).length;
const naiveMasked = lines.filter((line) => naive(line) !== line).length;

console.log(
  `${lines.length} lines, ${lexicon.terms.length} terms, ${lexicon.allowed.length} allowed words; ` +
    `median of ${rounds} rounds; automata built in ${buildMs.toFixed(1)} ms; ` +
    `${dirtyLines} lines hold a listed word (some spelled to evade), the rest are clean`,
);
console.table([
  {
    ...time('lexicon filter (this repo): folded views + Aho–Corasick', lines, (l) =>
      filter(l, ctx),
    ),
    'lines changed': masked,
  },
  {
    ...time('lexicon matcher, test only (reject mode)', lines, (l) => matcher.test(l)),
    'lines changed': '—',
  },
  {
    ...time('peer: NFKC + includes/indexOf per word (pre-issue filter)', lines, naive),
    'lines changed': naiveMasked,
  },
]);
