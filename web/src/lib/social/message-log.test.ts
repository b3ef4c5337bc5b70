import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addPending,
  failPending,
  fromChatData,
  fromChatMessage,
  mergeLines,
  settlePending,
} from './message-log.ts';

const history = [
  { mid: '11', roomId: 1, userId: 2, name: 'B', text: 'hi', createdAt: '2026-01-01T00:00:01Z' },
  { mid: '9', roomId: 1, userId: 3, name: 'C', text: 'yo', createdAt: '2026-01-01T00:00:00Z' },
].map(fromChatMessage);

test('history and live merge by mid, in mid order, without repeats', () => {
  let lines = mergeLines([], history);
  lines = mergeLines(lines, [
    fromChatData({ mid: '11', uid: 2, name: 'B', t: 'hi', ts: 1 }),
    fromChatData({ mid: '12', uid: 3, name: 'C', t: 'new', ts: 2 }),
  ]);
  assert.deepEqual(
    lines.map((line) => line.mid),
    ['9', '11', '12'],
  );
});

test('a pending send is settled by its own publication, which carries the cmid', () => {
  let lines = mergeLines([], history);
  lines = addPending(lines, { cmid: 'abcdefgh', from: 1, name: 'Me', text: 'mine', ts: 5 });
  assert.equal(lines.at(-1)!.state, 'pending');
  lines = mergeLines(lines, [
    fromChatData({ mid: '13', uid: 1, name: 'Me', t: 'mine', ts: 6, cmid: 'abcdefgh' }),
  ]);
  assert.equal(lines.length, 3);
  assert.deepEqual(lines.at(-1), {
    mid: '13',
    cmid: 'abcdefgh',
    from: 1,
    name: 'Me',
    text: 'mine',
    ts: 6,
    state: 'sent',
  });
  // The publish's ok arriving after the publication changes nothing.
  assert.deepEqual(settlePending(lines, 'abcdefgh', '13'), lines);
});

test('the ok settles a send before its publication; the publication then merges into it', () => {
  let lines = addPending([], { cmid: 'abcdefgh', from: 1, text: 'x', ts: 5 });
  lines = settlePending(lines, 'abcdefgh', '20');
  assert.equal(lines[0]!.mid, '20');
  lines = mergeLines(lines, [fromChatData({ mid: '20', uid: 1, name: 'Me', t: 'x', ts: 6 })]);
  assert.equal(lines.length, 1);
});

test('a failed send keeps its text and says why; pending ones sort after sent ones', () => {
  let lines = addPending([], { cmid: 'abcdefgh', from: 1, text: 'x', ts: 1 });
  lines = mergeLines(lines, history);
  lines = failPending(lines, 'abcdefgh', 'RATE_LIMITED');
  assert.equal(lines.at(-1)!.state, 'failed');
  assert.equal(lines.at(-1)!.failure, 'RATE_LIMITED');
});

test('the log keeps the newest lines up to its cap', () => {
  const many = Array.from({ length: 10 }, (_, i) =>
    fromChatData({ mid: String(i + 1), uid: 2, name: 'B', t: 't', ts: i }),
  );
  assert.deepEqual(
    mergeLines([], many, 3).map((line) => line.mid),
    ['8', '9', '10'],
  );
});
