import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphemeLength, sanitizeText, textLimits } from './danmu-text.ts';

test('plain text passes unchanged', () => {
  for (const text of [
    'hello',
    '好看！',
    'a < b',
    'I <3 this',
    '1 > 0 && 2 > 1',
    'مرحبا',
    'Tom & Jerry',
    '< b >',
    '👩‍💻 ❤️ 🇨🇳',
  ]) {
    assert.deepEqual(sanitizeText(text, 'danmu'), { ok: true, text }, text);
  }
});

test('rejected: controls, bidi overrides, markup, lone surrogates, noncharacters', () => {
  const cases: Array<[string, string]> = [
    ['hi\u0000', 'control'],
    ['bell\u0007', 'control'],
    ['esc\u001B[31m', 'control'],
    ['del\u007F', 'control'],
    ['c1\u0085', 'control'],
    ['evil\u202Etxt.exe', 'bidi'],
    ['iso\u2066late', 'bidi'],
    ['<script>alert(1)</script>', 'markup'],
    ['<b>bold', 'markup'],
    ['end</div>', 'markup'],
    ['<!-- c -->', 'markup'],
    ['<\u200Bb>hidden tag', 'markup'],
    ['half \uD800 pair', 'surrogate'],
    ['non\uFFFE', 'noncharacter'],
    ['non\uFDD0', 'noncharacter'],
    ['', 'empty'],
    ['   \t ', 'empty'],
    ['\u200B\u200D\uFEFF', 'empty'],
    ['x'.repeat(101), 'tooLong'],
    ['x'.repeat(textLimits.danmu.maxUnits + 1), 'tooLong'],
  ];
  for (const [text, reason] of cases) {
    assert.deepEqual(sanitizeText(text, 'danmu'), { ok: false, reason }, JSON.stringify(text));
  }
});

test('stripped and normalised', () => {
  const cases: Array<[string, string, 'danmu' | 'chat']> = [
    ['  spaced   out  ', 'spaced out', 'danmu'],
    ['zero\u200Bwidth\u2060joiner\uFEFF', 'zerowidthjoiner', 'danmu'],
    ['tab\there', 'tab here', 'danmu'],
    ['line\none', 'line one', 'danmu'],
    ['wide\u3000space\u00A0nbsp', 'wide space nbsp', 'danmu'],
    ['\u200Dlead and trail\u200D', 'lead and trail', 'danmu'],
    ['double\u200D\u200Djoin', 'double\u200Djoin', 'danmu'],
    ['tags\u{E0041}\u{E0042}', 'tags', 'danmu'],
    ['e\u0301', '\u00E9', 'danmu'],
    ['z\u0300\u0301\u0302\u0303\u0304\u0305\u0306', 'z\u0300\u0301\u0302\u0303', 'danmu'],
    ['x\uFE0F\uFE0F\uFE0F', 'x\uFE0F', 'danmu'],
    ['\u0301lead mark', 'lead mark', 'danmu'],
    ['a\r\nb\rc\u2028d', 'a\nb\nc\nd', 'chat'],
    ['para\n\n\n\n\nbreak', 'para\n\nbreak', 'chat'],
    ['  trim \n  lines  ', 'trim\nlines', 'chat'],
  ];
  for (const [input, text, kind] of cases) {
    assert.deepEqual(sanitizeText(input, kind), { ok: true, text }, JSON.stringify(input));
  }
});

test('length is counted in graphemes', () => {
  assert.equal(graphemeLength('👩‍👩‍👧‍👦'), 1);
  assert.equal(graphemeLength('🇨🇳🇬🇧'), 2);
  assert.equal(sanitizeText('👍'.repeat(100), 'danmu').ok, true);
  assert.equal(sanitizeText('好'.repeat(300), 'chat').ok, true);
  assert.deepEqual(sanitizeText('好'.repeat(301), 'chat'), { ok: false, reason: 'tooLong' });
  assert.equal(sanitizeText('好'.repeat(1000), 'dm').ok, true);
});
