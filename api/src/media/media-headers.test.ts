import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etagMatches, mediaCacheControl, mediaContentType } from './media-headers.ts';

test('content types of HLS, images and sprites', () => {
  assert.equal(mediaContentType('e/1/2/master.m3u8'), 'application/vnd.apple.mpegurl');
  assert.equal(mediaContentType('e/1/2/720p/seg-00001.ts'), 'video/mp2t');
  assert.equal(mediaContentType('e/1/2/720p/seg-1.m4s'), 'video/iso.segment');
  assert.equal(mediaContentType('e/1/2/init.mp4'), 'video/mp4');
  assert.equal(mediaContentType('e/1/2/poster.JPG'), 'image/jpeg');
  assert.equal(mediaContentType('e/1/2/sprite.vtt'), 'text/vtt; charset=utf-8');
  assert.equal(mediaContentType('e/1/2/README'), 'application/octet-stream');
  assert.equal(mediaContentType('e/1.d/file'), 'application/octet-stream');
});

test('cache lifetimes are bounded by the token expiry', () => {
  const now = 1000;
  assert.equal(mediaCacheControl('a/seg.ts', now + 3600, now), 'public, max-age=3600, immutable');
  assert.equal(
    mediaCacheControl('a/seg.ts', now + 10 ** 9, now),
    'public, max-age=31536000, immutable',
  );
  assert.equal(mediaCacheControl('a/index.m3u8', now + 3600, now), 'public, max-age=60');
  assert.equal(mediaCacheControl('a/index.m3u8', now + 20, now), 'public, max-age=20');
  assert.equal(mediaCacheControl('a/seg.ts', now - 5, now), 'public, max-age=0, immutable');
});

test('If-None-Match uses weak comparison over a list', () => {
  assert.equal(etagMatches('"abc"', '"abc"'), true);
  assert.equal(etagMatches('W/"abc"', '"abc"'), true);
  assert.equal(etagMatches('"x", "abc"', '"abc"'), true);
  assert.equal(etagMatches('*', '"abc"'), true);
  assert.equal(etagMatches('"abcd"', '"abc"'), false);
  assert.equal(etagMatches('', '"abc"'), false);
});
