import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMediaPath } from './media-path.ts';

test('splits token and key', () => {
  assert.deepEqual(parseMediaPath('/media/123.3.abc/episodes/1/2/720p/seg-1.ts'), {
    token: '123.3.abc',
    key: 'episodes/1/2/720p/seg-1.ts',
  });
});

test('decodes percent-encoded characters inside a segment', () => {
  assert.deepEqual(parseMediaPath('/media/t/episodes/1/2/a%20b.jpg'), {
    token: 't',
    key: 'episodes/1/2/a b.jpg',
  });
});

test('refuses traversal and ambiguous encodings', () => {
  for (const raw of [
    '/media/t/episodes/../secret',
    '/media/t/episodes/%2e%2e/secret',
    '/media/t/episodes/%2E%2E/secret',
    '/media/t/episodes/.%2e/secret',
    '/media/t/episodes/./x',
    '/media/t/episodes%2F..%2Fsecret',
    '/media/t/episodes%2fx',
    '/media/t/episodes/a%5Cb',
    '/media/t/episodes\\..\\secret',
    '/media/t/episodes/a%00.ts',
    '/media/t/episodes/a\u0000.ts',
    '/media/t//etc/passwd',
    '/media/t/%2Fetc/passwd',
    '/media/t/episodes//x',
    '/media/t/episodes/x/',
    '/media/t/',
    '/media/t',
    '/media//x',
    '/media/t/bad%zz',
    '/media/t/bad%',
    '/other/t/x',
  ])
    assert.equal(parseMediaPath(raw), null, raw);
});
