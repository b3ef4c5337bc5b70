import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planLadder } from '../ladder/ladder.ts';
import { buildTranscodeArgs } from './transcode-args.ts';

const renditions = planLadder({ width: 720, height: 1280, hasAudio: true, fps: 60 });

function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

test('one decode, a split per rung, aligned keyframes and HLS VOD outputs', () => {
  const args = buildTranscodeArgs({
    input: '/in/src.mp4',
    outDir: '/out',
    renditions,
    hasAudio: true,
    sourceFps: 60,
    segmentSeconds: 2,
    keyInfoFile: '/key/info',
  });
  assert.deepEqual(valuesOf(args, '-i'), ['/in/src.mp4']);
  const graph = valuesOf(args, '-filter_complex')[0]!;
  assert.match(graph, /^\[0:v\]fps=30,split=2\[s0\]\[s1\];/);
  assert.match(graph, /\[s1\]scale=720:1280/);
  assert.deepEqual(valuesOf(args, '-g'), ['60', '60']);
  assert.deepEqual(valuesOf(args, '-sc_threshold'), ['0', '0']);
  assert.deepEqual(valuesOf(args, '-force_key_frames'), [
    'expr:gte(t,n_forced*2)',
    'expr:gte(t,n_forced*2)',
  ]);
  assert.deepEqual(valuesOf(args, '-hls_playlist_type'), ['vod', 'vod']);
  assert.deepEqual(valuesOf(args, '-hls_segment_filename'), [
    '/out/360p/seg_%05d.ts',
    '/out/720p/seg_%05d.ts',
  ]);
  assert.deepEqual(valuesOf(args, '-hls_key_info_file'), ['/key/info', '/key/info']);
  assert.deepEqual(valuesOf(args, '-map'), ['[v0]', '0:a:0', '[v1]', '0:a:0']);
  assert.equal(args.at(-1), '/out/720p/index.m3u8');
});

test('silent source, one rung, watermark', () => {
  const args = buildTranscodeArgs({
    input: 'in',
    outDir: '/out',
    renditions: renditions.slice(0, 1),
    hasAudio: false,
    sourceFps: 25,
    segmentSeconds: 2,
    watermark: { textFile: '/p/wm.txt', fontFile: '/f/font.ttc' },
  });
  const graph = valuesOf(args, '-filter_complex')[0]!;
  assert.match(graph, /^\[0:v\]null\[s0\];/);
  assert.match(graph, /drawtext=textfile=\/p\/wm.txt:fontfile=\/f\/font.ttc/);
  assert.deepEqual(valuesOf(args, '-g'), ['50']);
  assert.ok(!args.includes('-c:a'));
  assert.ok(!args.includes('-hls_key_info_file'));
});
