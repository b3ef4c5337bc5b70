import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaError } from '../errors/media-error.ts';
import { parseProbeOutput } from './media-info.ts';

const isInvalid = (error: unknown) =>
  error instanceof MediaError && error.code === 'MEDIA_SOURCE_INVALID';

test('reads duration, size, audio and fps', () => {
  const info = parseProbeOutput(
    JSON.stringify({
      streams: [
        { codec_type: 'video', width: 720, height: 1280, avg_frame_rate: '30000/1001' },
        { codec_type: 'audio' },
      ],
      format: { duration: '12.5' },
    }),
    'x',
  );
  assert.equal(info.durationSeconds, 12.5);
  assert.equal(info.width, 720);
  assert.equal(info.height, 1280);
  assert.equal(info.hasAudio, true);
  assert.ok(Math.abs(info.fps - 29.97) < 0.01);
});

test('a rotated recording reports its display size; cover art is not the video', () => {
  const info = parseProbeOutput(
    JSON.stringify({
      streams: [
        { codec_type: 'video', width: 300, height: 300, disposition: { attached_pic: 1 } },
        {
          codec_type: 'video',
          width: 1920,
          height: 1080,
          r_frame_rate: '25/1',
          side_data_list: [{ rotation: -90 }],
        },
      ],
      format: { duration: '3' },
    }),
    'x',
  );
  assert.deepEqual([info.width, info.height, info.hasAudio, info.fps], [1080, 1920, false, 25]);
});

test('no video, no duration or garbage is MEDIA_SOURCE_INVALID', () => {
  assert.throws(() => parseProbeOutput('not json', 'x'), isInvalid);
  assert.throws(
    () =>
      parseProbeOutput(
        JSON.stringify({ streams: [{ codec_type: 'audio' }], format: { duration: '3' } }),
        'x',
      ),
    isInvalid,
  );
  assert.throws(
    () =>
      parseProbeOutput(
        JSON.stringify({ streams: [{ codec_type: 'video', width: 2, height: 2 }], format: {} }),
        'x',
      ),
    isInvalid,
  );
});
