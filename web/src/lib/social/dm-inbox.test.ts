import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyReceipt,
  conversationsOf,
  conversationWith,
  deliveryOf,
  newestFrom,
} from './dm-inbox.ts';
import { fromDmData, mergeLines, type LogLine } from './message-log.ts';

const me = 1;
const dm = (mid: string, from: number, to: number, ts: number) =>
  fromDmData({ k: 'msg', mid, from, to, t: `m${mid}`, ts });

const lines: LogLine[] = mergeLines(
  [],
  [dm('1', 2, me, 10), dm('2', me, 2, 20), dm('3', 3, me, 30), dm('4', 2, me, 40)],
);

test('conversations are grouped by the other person, newest first, with unread counts', () => {
  const list = conversationsOf(lines, me, new Map([[2, '1']]));
  assert.deepEqual(
    list.map((c) => [c.peerId, c.last.mid, c.unread]),
    [
      [2, '4', 1],
      [3, '3', 1],
    ],
  );
  assert.deepEqual(
    conversationWith(lines, me, 2).map((line) => line.mid),
    ['1', '2', '4'],
  );
  assert.equal(newestFrom(lines, 2), '4');
});

test('receipts are cumulative, read implies delivered, and never go back', () => {
  let marks = applyReceipt(new Map(), { k: 'rcpt', mid: '2', by: 2, r: 1, ts: 1 });
  const mine = lines.find((line) => line.mid === '2')!;
  assert.equal(deliveryOf(mine, marks.get(2)), 'delivered');
  marks = applyReceipt(marks, { k: 'rcpt', mid: '5', by: 2, r: 2, ts: 2 });
  assert.equal(deliveryOf(mine, marks.get(2)), 'read');
  marks = applyReceipt(marks, { k: 'rcpt', mid: '1', by: 2, r: 2, ts: 3 });
  assert.equal(marks.get(2)!.read, '5');
  assert.equal(deliveryOf(dm('9', me, 2, 1), marks.get(2)), 'sent');
  assert.equal(deliveryOf(dm('9', me, 3, 1), marks.get(3)), 'sent');
});
