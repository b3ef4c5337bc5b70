import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom, type SeededRandom } from '../protocol/crdt/seeded-random.ts';
import { compactText, foldText, UnitKind, type FoldedText } from './text-fold.ts';

/** Code points from every corner that matters: ASCII, Latin-1, combining marks, Cyrillic,
 * Greek, full-width forms, CJK, emoji, invisible characters, lone surrogates, controls. */
const pools = [
  [0x20, 0x7e],
  [0xa0, 0x24f],
  [0x300, 0x36f],
  [0x370, 0x3ff],
  [0x400, 0x4ff],
  [0x2000, 0x206f],
  [0x2460, 0x24ff],
  [0x3000, 0x303f],
  [0x4e00, 0x4fff],
  [0xd800, 0xdfff],
  [0xfb00, 0xfb4f],
  [0xfe00, 0xfe0f],
  [0xff00, 0xffef],
  [0x1f300, 0x1f64f],
  [0x1d400, 0x1d7ff],
  [0xe0000, 0xe007f],
  [0x0, 0x1f],
] as const;

function randomText(random: SeededRandom, maxLength: number): string {
  let text = '';
  const length = random.int(0, maxLength);
  for (let i = 0; i < length; i += 1) {
    const [from, to] = random.pick(pools);
    text += String.fromCodePoint(random.int(from, to));
  }
  return text;
}

function assertMapHolds(text: string, folded: FoldedText) {
  const n = folded.text.length;
  assert.equal(folded.start.length, n);
  assert.equal(folded.end.length, n);
  assert.equal(folded.kind.length, n);
  let previousStart = 0;
  for (let i = 0; i < n; i += 1) {
    const start = folded.start[i]!;
    const end = folded.end[i]!;
    assert.ok(
      start >= 0 && start < end && end <= text.length,
      `span ${i} of ${JSON.stringify(text)}`,
    );
    assert.ok(start >= previousStart, 'spans never go backwards');
    previousStart = start;
  }
}

test('the index map stays within the original and covers every visible character', () => {
  const random = seededRandom(20261123);
  for (let round = 0; round < 3000; round += 1) {
    const text = randomText(random, 40);
    for (const leet of [false, true]) {
      const folded = foldText(text, { leet });
      assertMapHolds(text, folded);
      // Whatever is not invisible is covered: the last span ends where the text does, unless the
      // text ends with characters that fold to nothing before anything visible came.
      if (folded.text.length > 0) {
        const lastEnd = folded.end[folded.text.length - 1]!;
        assert.equal(lastEnd, text.length, JSON.stringify(text));
      }
      const compact = compactText(folded);
      assert.equal(compact.text.length, compact.foldedIndex.length);
      for (const index of compact.foldedIndex) assert.notEqual(folded.text[index], ' ');
    }
  }
});

test('random Unicode never throws, even lone surrogates and huge inputs', () => {
  const random = seededRandom(7);
  for (let round = 0; round < 200; round += 1) foldText(randomText(random, 400), { leet: true });
  foldText('\uD800\uDC00\uDFFF\uD83D', { leet: false });
  foldText('a'.repeat(100_000), { leet: false });
});

test('width, case, accents, ligatures, circled letters and look-alikes fold to one spelling', () => {
  const view = (text: string) => foldText(text, { leet: false }).text;
  assert.equal(view('ＦＵＣＫ'), 'fuck');
  assert.equal(view('ⓕⓤⓒⓚ'), 'fuck');
  assert.equal(view('𝐟𝐮𝐜𝐤'), 'fuck');
  assert.equal(view('ﬀ'), 'ff');
  assert.equal(view('fúćk'), 'fuck');
  assert.equal(view('fu\u0301ck'), 'fuck');
  assert.equal(view('fu\u200Bc\u00ADk'), 'fuck');
  assert.equal(view('ѕех'), 'sex', 'Cyrillic look-alikes');
  assert.equal(view('ΒΙΤ'), 'bit', 'Greek look-alikes');
  assert.equal(view('雞巴'), '鸡巴', 'traditional to simplified');
  assert.equal(view('傻 , 逼'), '傻 逼', 'a separator run is one space');
});

test('the map points at what was typed: one folded letter per full-width or astral source', () => {
  const folded = foldText('xＦ𝐮ck', { leet: false });
  assert.equal(folded.text, 'xfuck');
  assert.deepEqual([...folded.start], [0, 1, 2, 4, 5]);
  assert.deepEqual([...folded.end], [1, 2, 4, 5, 6]);
  const ligature = foldText('ﬁx', { leet: false });
  assert.equal(ligature.text, 'fix');
  assert.deepEqual([...ligature.start], [0, 0, 1]);
  // An invisible character is swallowed by what precedes it.
  assert.deepEqual([...foldText('a\u200B', { leet: false }).end], [2]);
});

test('separators: whitespace marks the run; leet reads digits and @ $ as letters', () => {
  const folded = foldText('a.b c', { leet: false });
  assert.deepEqual(
    [...folded.kind],
    [UnitKind.letter, UnitKind.punctuation, UnitKind.letter, UnitKind.space, UnitKind.letter],
  );
  const plain = foldText('sh1t $5', { leet: false });
  assert.equal(plain.text, 'sh1t 5');
  assert.equal(plain.leetCandidates, true);
  const leet = foldText('sh1t $5', { leet: true });
  assert.equal(leet.text, 'shit ss');
  assert.equal(leet.kind[2], UnitKind.leetDigit);
  assert.equal(leet.kind[5], UnitKind.leetSymbol);
  assert.equal(foldText('no digits', { leet: false }).leetCandidates, false);
});

test('the compact view drops separators and remembers the gaps', () => {
  const compact = compactText(foldText('f.u c-k', { leet: false }));
  assert.equal(compact.text, 'fuck');
  assert.deepEqual(
    [...compact.gap],
    [0, UnitKind.punctuation, UnitKind.space, UnitKind.punctuation],
  );
  assert.equal(compact.hasInnerGap, true);
  assert.equal(compactText(foldText(' fuck ', { leet: false })).hasInnerGap, false);
});
