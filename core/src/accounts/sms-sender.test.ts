import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { createLogSmsSender } from './sms-sender-log.ts';
import { createRecordingSmsSender } from './sms-sender-recording.ts';
import { signInMessage } from './sms-sender.ts';

test('the log adapter writes the code at info, labelled as not sent', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const sender = createLogSmsSender(pino({ level: 'info' }, sink));
  await sender.send({ to: '+8613800138000', code: '042917', text: signInMessage('042917', 5) });
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]!);
  assert.equal(line.level, 30);
  assert.equal(line.sms, true);
  assert.equal(line.code, '042917');
  assert.equal(line.to, '+8613800138000');
  assert.match(line.msg, /not sent/);
  assert.equal(sender.kind, 'log');
});

test('the recording adapter keeps messages and can fail on demand', async () => {
  const sender = createRecordingSmsSender();
  assert.throws(() => sender.lastCodeTo('+8613800138000'), /no SMS/);
  await sender.send({ to: '+8613800138000', code: '111111', text: 'a' });
  await sender.send({ to: '+8613800138001', code: '222222', text: 'b' });
  await sender.send({ to: '+8613800138000', code: '333333', text: 'c' });
  assert.equal(sender.lastCodeTo('+8613800138000'), '333333');
  assert.equal(sender.sent.length, 3);
  sender.failNext();
  await assert.rejects(sender.send({ to: '+8613800138000', code: '4', text: 'd' }), /unavailable/);
  await sender.send({ to: '+8613800138000', code: '555555', text: 'e' });
  assert.equal(sender.lastCodeTo('+8613800138000'), '555555');
});

test('the message carries the code and its lifetime', () => {
  const text = signInMessage('123456', 5);
  assert.match(text, /123456/);
  assert.match(text, /5 min/);
  assert.ok(text.length <= 70, 'one UCS-2 segment');
});
