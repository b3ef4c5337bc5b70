import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDiscussionText, discussionTextLimits } from './discussion-text.ts';

test('markup, quotes and ampersands are text: kept verbatim', () => {
  for (const text of [
    '<script>alert(1)</script>',
    '<b>bold</b> & "quoted" \'x\'',
    '<img src=x onerror=alert(1)>',
  ])
    assert.deepEqual(checkDiscussionText(text, 'comment'), { ok: true, text });
});

test('trimmed; CR LF and CR become LF; tabs and inner newlines stay', () => {
  assert.deepEqual(checkDiscussionText('  hi\tthere\r\nsecond\rthird \n', 'comment'), {
    ok: true,
    text: 'hi\tthere\nsecond\nthird',
  });
});

test('refused: controls, bidi overrides, lone surrogates', () => {
  const cases: Array<[string, string]> = [
    ['nul\u0000', 'control'],
    ['bell\u0007', 'control'],
    ['esc\u001B[31m', 'control'],
    ['del\u007F', 'control'],
    ['c1\u0085', 'control'],
    ['abc\u202Edef', 'bidi'],
    ['iso\u2066late', 'bidi'],
    ['half \uD83D', 'surrogate'],
    ['\uDE00 low first', 'surrogate'],
  ];
  for (const [text, reason] of cases)
    assert.deepEqual(
      checkDiscussionText(text, 'comment'),
      { ok: false, reason },
      JSON.stringify(text),
    );
  assert.deepEqual(checkDiscussionText('😀 pair', 'comment'), { ok: true, text: '😀 pair' });
});

test('length in grapheme clusters: 1..500 for comments, 0..2000 for reviews', () => {
  assert.deepEqual(checkDiscussionText('   ', 'comment'), { ok: false, reason: 'empty' });
  assert.deepEqual(checkDiscussionText('', 'review'), { ok: true, text: '' });
  assert.equal(checkDiscussionText('a'.repeat(500), 'comment').ok, true);
  assert.deepEqual(checkDiscussionText('a'.repeat(501), 'comment'), {
    ok: false,
    reason: 'tooLong',
  });
  // A family emoji is 11 UTF-16 units but one character to a reader.
  const family = '👨‍👩‍👧‍👦';
  assert.equal(checkDiscussionText(family.repeat(150), 'comment').ok, true);
  assert.equal(checkDiscussionText('字'.repeat(2000), 'review').ok, true);
  assert.deepEqual(checkDiscussionText('字'.repeat(2001), 'review'), {
    ok: false,
    reason: 'tooLong',
  });
  // Past the UTF-16 cap the text is refused before it is segmented.
  const units = discussionTextLimits.comment.maxGraphemes * 4 + 1;
  assert.deepEqual(checkDiscussionText(' '.repeat(units), 'comment'), {
    ok: false,
    reason: 'tooLong',
  });
});
