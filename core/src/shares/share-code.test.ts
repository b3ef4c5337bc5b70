import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isShareCode, newShareCode } from './share-code.ts';

test('codes are 10 URL-safe characters and differ every time', () => {
  const codes = new Set(Array.from({ length: 2000 }, () => newShareCode()));
  assert.equal(codes.size, 2000);
  for (const code of codes) assert.match(code, /^[A-Za-z0-9]{10}$/);
});

test('bytes past the last multiple of 62 are skipped, so every character is equally likely', () => {
  // 248..255 would favour the first eight letters if they were folded in with a modulo.
  const bytes = [255, 248, 0, 61, 62, 247, 1, 2, 3, 4, 5, 6];
  const code = newShareCode((size) => Uint8Array.from(bytes.slice(0, size)));
  assert.equal(code, 'A9A9BCDEFG');
});

test('isShareCode takes only the 10-character form', () => {
  assert.equal(isShareCode('Ab3dE6gH9k'), true);
  for (const bad of [
    '',
    'Ab3dE6gH9',
    'Ab3dE6gH9kx',
    'Ab3dE6gH9-',
    '../../etc',
    'Ab3dE6gH9%',
    42,
    null,
  ])
    assert.equal(isShareCode(bad), false, String(bad));
});
