import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseByteRange } from './byte-range.ts';

test('ranges within the body', () => {
  assert.deepEqual(parseByteRange('bytes=0-99', 1000), { start: 0, end: 99 });
  assert.deepEqual(parseByteRange('bytes=900-', 1000), { start: 900, end: 999 });
  assert.deepEqual(parseByteRange('bytes=990-2000', 1000), { start: 990, end: 999 });
  assert.deepEqual(parseByteRange('bytes=-100', 1000), { start: 900, end: 999 });
  assert.deepEqual(parseByteRange('bytes=-5000', 1000), { start: 0, end: 999 });
});

test('unsatisfiable ranges', () => {
  assert.equal(parseByteRange('bytes=1000-', 1000), 'unsatisfiable');
  assert.equal(parseByteRange('bytes=-0', 1000), 'unsatisfiable');
});

test('no header, several ranges or bad syntax: the whole body', () => {
  for (const header of [null, 'bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=5-2', 'bytes=a-b'])
    assert.equal(parseByteRange(header, 1000), null, String(header));
});
