import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaError } from '../errors/media-error.ts';
import { locateFfmpeg } from './ffmpeg-location.ts';

test('configured paths win and are checked', () => {
  const found = locateFfmpeg({ ffmpegPath: '/usr/bin/ffmpeg', ffprobePath: '/usr/bin/ffprobe' });
  assert.deepEqual(found, {
    ffmpeg: '/usr/bin/ffmpeg',
    ffprobe: '/usr/bin/ffprobe',
    origin: 'config',
  });
  assert.throws(
    () => locateFfmpeg({ ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: undefined }),
    (error: unknown) => error instanceof MediaError && error.code === 'MEDIA_FFMPEG_NOT_FOUND',
  );
});

test('the system binary on PATH comes before the npm package', () => {
  const found = locateFfmpeg({
    ffmpegPath: undefined,
    ffprobePath: undefined,
    searchPath: '/usr/bin',
  });
  assert.equal(found.origin, 'path');
  assert.equal(found.ffmpeg, '/usr/bin/ffmpeg');
});

test('without a system binary the npm packages are used and made executable', () => {
  const found = locateFfmpeg({
    ffmpegPath: undefined,
    ffprobePath: undefined,
    searchPath: '/nonexistent',
  });
  assert.equal(found.origin, 'npm');
  assert.match(found.ffmpeg, /@ffmpeg-installer/);
  assert.match(found.ffprobe, /@ffprobe-installer/);
});
