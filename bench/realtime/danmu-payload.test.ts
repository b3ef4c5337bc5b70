import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFrame } from '@binge/core/protocol/realtime/codec';
import { FrameType } from '@binge/core/protocol/realtime/frames';
import { sanitizeText } from '@binge/core/protocol/realtime/danmu-text';
import { clientMessageId, clockMs, danmuSend, danmuText, sentAtOf } from './danmu-payload.ts';

test('the send time survives the text and the gateway text policy', () => {
  const sentAt = 1_140_603.955;
  const text = danmuText(sentAt);
  const cleaned = sanitizeText(text, 'danmu');
  assert.ok(cleaned.ok);
  assert.equal(cleaned.text, text);
  assert.equal(sentAtOf(cleaned.text), sentAt);
  assert.ok(Number.isNaN(sentAtOf('no timestamp')));
});

test('the publish frame is about 100 bytes and the d object about 100 bytes of JSON', () => {
  const d = danmuSend(124, 5000, clockMs());
  const frame = encodeFrame({
    type: FrameType.publish,
    rid: 4_000_000,
    payload: { ch: 'danmu:987654321', d },
  });
  assert.ok(frame.byteLength >= 95 && frame.byteLength <= 110, `frame of ${frame.byteLength}`);
  const json = JSON.stringify(d).length;
  assert.ok(json >= 90 && json <= 110, `json of ${json}`);
});

test('client message ids are unique per publisher and sequence and fit the protocol', () => {
  const ids = new Set<string>();
  for (let p = 0; p < 130; p += 1) {
    for (const s of [0, 1, 35, 36, 99_999]) {
      ids.add(clientMessageId('00', p, s));
      ids.add(clientMessageId('01', p, s));
    }
  }
  assert.equal(ids.size, 130 * 5 * 2);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{8,64}$/);
});

test('the monotonic clock moves forward in ms', async () => {
  const a = clockMs();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const elapsed = clockMs() - a;
  assert.ok(elapsed >= 15 && elapsed < 1000, `${elapsed}`);
});
