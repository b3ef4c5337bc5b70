import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PlaylistError,
  filterMaster,
  isMasterPlaylist,
  parseAttributes,
  parseMaster,
  parseMedia,
  pickVariant,
  segmentsToStore,
  type Variant,
} from './hls-playlist.ts';

const base = 'http://127.0.0.1:8080/media/1700000100.3.sig/episodes/4/9/master.m3u8';
const master = [
  '#EXTM3U',
  '#EXT-X-VERSION:3',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=360x640,CODECS="avc1.4d401e,mp4a.40.2"',
  'v360/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=540x960,CODECS="avc1.4d401f,mp4a.40.2"',
  'v540/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=720x1280,CODECS="avc1.4d401f,mp4a.40.2"',
  'v720/index.m3u8',
  '',
].join('\n');

test('attribute lists keep commas inside quoted strings', () => {
  const attributes = parseAttributes('BANDWIDTH=1,CODECS="a,b",RESOLUTION=2x3');
  assert.equal(attributes.get('CODECS'), 'a,b');
  assert.equal(attributes.get('RESOLUTION'), '2x3');
});

test('master variants resolve relative to the master, keeping the token path', () => {
  assert.ok(isMasterPlaylist(master));
  const variants = parseMaster(master, base);
  assert.deepEqual(
    variants.map((variant) => [variant.rung, variant.bandwidth, variant.uri]),
    [
      [360, 400000, 'http://127.0.0.1:8080/media/1700000100.3.sig/episodes/4/9/v360/index.m3u8'],
      [540, 900000, 'http://127.0.0.1:8080/media/1700000100.3.sig/episodes/4/9/v540/index.m3u8'],
      [720, 2000000, 'http://127.0.0.1:8080/media/1700000100.3.sig/episodes/4/9/v720/index.m3u8'],
    ],
  );
});

test('picks the lowest rung at or above 360p, or the best at or below what the page asks', () => {
  const variants = parseMaster(master, base);
  assert.equal(pickVariant(variants)?.rung, 360);
  assert.equal(pickVariant(variants, 720)?.rung, 720);
  assert.equal(pickVariant(variants, 600)?.rung, 540);
  assert.equal(pickVariant(variants, 200)?.rung, 360, 'nothing that small: the lowest');
  const small: Variant[] = [
    { uri: 'a', bandwidth: 1, rung: 240 },
    { uri: 'b', bandwidth: 2, rung: 288 },
  ];
  assert.equal(pickVariant(small)?.uri, 'b', 'all below 360p: the best of them');
  const high: Variant[] = [
    { uri: 'hi', bandwidth: 3, rung: 1080 },
    { uri: 'lo', bandwidth: 2, rung: 540 },
  ];
  assert.equal(pickVariant(high)?.uri, 'lo');
  assert.equal(
    pickVariant([
      { uri: 'x', bandwidth: 5, rung: null },
      { uri: 'y', bandwidth: 3, rung: null },
    ])?.uri,
    'y',
    'no RESOLUTION: the lowest bandwidth',
  );
  assert.equal(pickVariant([]), null);
});

const media = [
  '#EXTM3U',
  '#EXT-X-VERSION:3',
  '#EXT-X-TARGETDURATION:2',
  '#EXT-X-PLAYLIST-TYPE:VOD',
  '#EXT-X-KEY:METHOD=AES-128,URI="/api/v1/episodes/4/keys/9",IV=0x00000000000000000000000000000001',
  '#EXTINF:2.000000,',
  'seg_001.ts',
  '#EXTINF:2.000000,',
  'seg_002.ts',
  '#EXTINF:1.500000,',
  'seg_003.ts',
  '#EXT-X-ENDLIST',
].join('\n');
const mediaBase = base.replace('master.m3u8', 'v360/index.m3u8');

test('media playlist: key, segments and durations', () => {
  const playlist = parseMedia(media, mediaBase);
  assert.deepEqual(playlist.keys, ['http://127.0.0.1:8080/api/v1/episodes/4/keys/9']);
  assert.deepEqual(playlist.inits, []);
  assert.equal(playlist.ended, true);
  assert.deepEqual(
    playlist.segments.map((segment) => [segment.uri.split('/').at(-1), segment.duration]),
    [
      ['seg_001.ts', 2],
      ['seg_002.ts', 2],
      ['seg_003.ts', 1.5],
    ],
  );
  assert.ok(playlist.segments[0]!.uri.includes('/media/1700000100.3.sig/episodes/4/9/v360/'));
});

test('fMP4 init sections are listed once; METHOD=NONE has no key', () => {
  const playlist = parseMedia(
    [
      '#EXTM3U',
      '#EXT-X-KEY:METHOD=NONE',
      '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:2,',
      'a.m4s',
      '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:2,',
      'b.m4s',
    ].join('\n'),
    mediaBase,
  );
  assert.deepEqual(playlist.keys, []);
  assert.equal(playlist.inits.length, 1);
  assert.equal(playlist.ended, false);
});

test('malformed playlists are refused with a code', () => {
  for (const text of [
    'not a playlist',
    '#EXTM3U\nseg.ts',
    '#EXTM3U\n#EXTINF:abc,\nseg.ts',
    '#EXTM3U\n#EXT-X-ENDLIST',
  ])
    assert.throws(
      () => parseMedia(text, mediaBase),
      (error: unknown) =>
        error instanceof PlaylistError && error.code === 'OFFLINE_PLAYLIST_INVALID',
      text,
    );
  assert.throws(() => parseMaster('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1', base), PlaylistError);
});

test('a short VOD episode is stored whole, a long one by its first segments', () => {
  const short = parseMedia(media, mediaBase);
  assert.equal(segmentsToStore(short).length, 3);
  const long = {
    ...short,
    segments: Array.from({ length: 100 }, (_, index) => ({ uri: `s${index}`, duration: 2 })),
  };
  assert.deepEqual(
    segmentsToStore(long, { firstSegments: 4, wholeUpToSeconds: 90 }).map((s) => s.uri),
    ['s0', 's1', 's2', 's3'],
  );
  assert.equal(
    segmentsToStore({ ...short, ended: false }, { firstSegments: 2, wholeUpToSeconds: 90 }).length,
    2,
    'a live playlist is never whole',
  );
});

test('the offline master lists only the cached variants', () => {
  const filtered = filterMaster(master, base, (url) => url.includes('/v540/'));
  assert.ok(filtered);
  assert.deepEqual(
    parseMaster(filtered, base).map((variant) => variant.rung),
    [540],
  );
  assert.ok(filtered.startsWith('#EXTM3U\n#EXT-X-VERSION:3'));
  assert.equal(
    filterMaster(master, base, () => false),
    null,
  );
});
