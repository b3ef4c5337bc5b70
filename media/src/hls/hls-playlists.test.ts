import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMasterPlaylist } from './master-playlist.ts';
import { measureBitrate, parseMediaPlaylist } from './media-playlist.ts';

test('master playlist lists variants lowest first with all attributes', () => {
  const text = buildMasterPlaylist([
    {
      uri: '720p/index.m3u8',
      bandwidth: 3_000_000,
      width: 720,
      height: 1280,
      codecs: 'avc1.4d401f,mp4a.40.2',
      frameRate: 25,
    },
    {
      uri: '360p/index.m3u8',
      bandwidth: 1_000_000,
      averageBandwidth: 700_000,
      width: 360,
      height: 640,
      codecs: 'avc1.4d401e,mp4a.40.2',
    },
  ]);
  assert.equal(
    text,
    [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-STREAM-INF:BANDWIDTH=1000000,AVERAGE-BANDWIDTH=700000,RESOLUTION=360x640,CODECS="avc1.4d401e,mp4a.40.2"',
      '360p/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=720x1280,CODECS="avc1.4d401f,mp4a.40.2",FRAME-RATE=25.000',
      '720p/index.m3u8',
      '',
    ].join('\n'),
  );
  assert.throws(() => buildMasterPlaylist([]), RangeError);
});

test('media playlist segments, keys and measured bit rates', () => {
  const playlist = parseMediaPlaylist(
    [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-KEY:METHOD=AES-128,URI="/api/v1/episodes/1/keys/2",IV=0x00',
      '#EXTINF:2.000000,',
      'seg_00001.ts',
      '#EXTINF:0.500000,',
      'seg_00002.ts',
      '#EXT-X-ENDLIST',
    ].join('\n'),
  );
  assert.equal(playlist.targetDuration, 2);
  assert.deepEqual(playlist.segments, [
    { uri: 'seg_00001.ts', durationSeconds: 2 },
    { uri: 'seg_00002.ts', durationSeconds: 0.5 },
  ]);
  assert.equal(playlist.keys.length, 1);
  assert.equal(playlist.endList, true);
  const sizes: Record<string, number> = { 'seg_00001.ts': 250_000, 'seg_00002.ts': 100_000 };
  assert.deepEqual(
    measureBitrate(playlist.segments, (uri) => sizes[uri]!),
    {
      peak: 1_000_000,
      average: Math.ceil((350_000 * 8) / 2.5),
    },
  );
  assert.equal(
    measureBitrate([], () => 0),
    null,
  );
  assert.throws(() => parseMediaPlaylist('garbage'), SyntaxError);
});
