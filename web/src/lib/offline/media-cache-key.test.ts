import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mediaCacheKey } from './media-cache-key.ts';

const origin = 'http://127.0.0.1:8080';
const at = (path: string) => new URL(path, origin);

test('drops the token path segment and the query, keeps origin and storage key', () => {
  const a = mediaCacheKey(
    at('/media/1700000100.3.abcDEF_-12/episodes/4/9/v360/seg_001.ts'),
    origin,
  );
  const b = mediaCacheKey(
    at('/media/1700000400.3.ZZZZZZ/episodes/4/9/v360/seg_001.ts?x=1'),
    origin,
  );
  assert.deepEqual(a, { key: `${origin}/media/episodes/4/9/v360/seg_001.ts`, kind: 'segment' });
  assert.deepEqual(b, a, 'a fresh token maps to the same key');
});

test('classifies playlists, segments and other media', () => {
  assert.equal(
    mediaCacheKey(at('/media/1.3.a/episodes/4/9/master.m3u8'), origin)?.kind,
    'playlist',
  );
  assert.equal(
    mediaCacheKey(at('/media/1.3.a/episodes/4/9/v360/init.mp4'), origin)?.kind,
    'segment',
  );
  assert.equal(mediaCacheKey(at('/media/1.3.a/episodes/4/9/poster.jpg'), origin)?.kind, 'other');
});

test('keeps a CDN origin in the key', () => {
  const cdn = new URL('https://cdn.example.com/media/1.3.a/episodes/4/9/master.m3u8');
  assert.equal(
    mediaCacheKey(cdn, origin)?.key,
    'https://cdn.example.com/media/episodes/4/9/master.m3u8',
  );
});

test('content keys are keyed by path, same origin only', () => {
  assert.deepEqual(mediaCacheKey(at('/api/v1/episodes/12/keys/41?t=1'), origin), {
    key: `${origin}/api/v1/episodes/12/keys/41`,
    kind: 'content-key',
  });
  assert.equal(
    mediaCacheKey(new URL('https://evil.example/api/v1/episodes/12/keys/41'), origin),
    null,
  );
});

test('anything else is not a media key', () => {
  for (const path of [
    '/media/',
    '/media/1.3.a',
    '/media/1.3.a/',
    '/media/notatoken/episodes/4/9/master.m3u8',
    '/media/1.3.a/episodes//x.ts',
    '/api/v1/episodes/12/playback',
    '/watch/12',
    '/_app/immutable/entry/start.js',
  ])
    assert.equal(mediaCacheKey(at(path), origin), null, path);
  assert.equal(mediaCacheKey(new URL('data:text/plain,hi'), origin), null);
});
