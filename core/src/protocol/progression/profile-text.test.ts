import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkProfileText, type ProfileTextRejection } from './profile-text.ts';

const refused = (field: 'displayName' | 'bio', text: string, reason: ProfileTextRejection) =>
  assert.deepEqual(checkProfileText(field, text), { ok: false, reason }, JSON.stringify(text));

test('names and bios are trimmed and NFC-normalised', () => {
  assert.deepEqual(checkProfileText('displayName', '  小明  '), { ok: true, text: '小明' });
  assert.deepEqual(checkProfileText('displayName', 'Cafe\u0301'), { ok: true, text: 'Café' });
  assert.deepEqual(checkProfileText('bio', ' line one\r\nline two \n'), {
    ok: true,
    text: 'line one\nline two',
  });
  assert.deepEqual(checkProfileText('bio', ''), { ok: true, text: '' });
  assert.deepEqual(checkProfileText('displayName', '<b>bold</b> 👩‍💻'), {
    ok: true,
    text: '<b>bold</b> 👩‍💻',
  });
});

test('limits count code points, so an emoji or a CJK character is one', () => {
  assert.equal(checkProfileText('displayName', '字'.repeat(24)).ok, true);
  assert.equal(checkProfileText('displayName', '😀'.repeat(24)).ok, true);
  refused('displayName', '字'.repeat(25), 'tooLong');
  assert.equal(checkProfileText('bio', 'x'.repeat(200)).ok, true);
  refused('bio', 'x'.repeat(201), 'tooLong');
  refused('bio', 'a\nb\nc\nd\ne\nf', 'tooManyLines');
});

test('control, bidi, invisible and broken characters are refused', () => {
  refused('displayName', '   ', 'empty');
  refused('displayName', 'a\nb', 'control');
  refused('displayName', 'a\u0000b', 'control');
  refused('bio', 'a\u0007b', 'control');
  refused('bio', 'a\u0085b', 'control');
  refused('displayName', 'admin\u202Egnp.exe', 'bidi');
  refused('bio', 'x\u2066y', 'bidi');
  refused('displayName', '\u200B', 'invisible');
  refused('displayName', 'a\u3164', 'invisible');
  refused('displayName', '\u200D', 'invisible');
  refused('displayName', 'a \u200Db', 'invisible');
  refused('displayName', 'ab\uD800', 'surrogate');
  refused('bio', '\uFFFF', 'noncharacter');
});
