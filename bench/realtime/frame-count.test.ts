import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFrame } from '@binge/core/protocol/realtime/codec';
import { FrameType, type ServerFrame } from '@binge/core/protocol/realtime/frames';
import { publicationsIn } from './frame-count.ts';

const pub = (off: number) => ({
  ch: 'danmu:123456789',
  off,
  d: { mid: String(off), uid: 7, t: 'hi', pos: 0, mode: 0, col: '#ffffff', size: 1 },
});

test('a publication frame carries one', () => {
  const frame = encodeFrame({
    type: FrameType.publication,
    rid: 0,
    payload: pub(1),
  } as ServerFrame);
  assert.equal(publicationsIn(frame), 1);
});

test('a batch is counted from its array header, small and large', () => {
  for (const n of [1, 2, 15, 16, 255, 256, 500]) {
    const frame = encodeFrame({
      type: FrameType.batch,
      rid: 0,
      payload: { pubs: Array.from({ length: n }, (_, i) => pub(i + 1)) },
    } as ServerFrame);
    assert.equal(publicationsIn(frame), n, `batch of ${n}`);
  }
});

test('anything else is left to the full decoder', () => {
  const pong = encodeFrame({ type: FrameType.pong, rid: 3, payload: { ts: 1 } });
  assert.equal(publicationsIn(pong), null);
  assert.equal(publicationsIn(new Uint8Array([0x93, 0x44])), null);
  assert.equal(
    publicationsIn(new Uint8Array([0x93, 0x44, 0x00, 0x81, 0xa4, 0x70, 0x75, 0x62, 0x74, 0x91])),
    null,
  );
  assert.equal(publicationsIn(new Uint8Array()), null);
});
