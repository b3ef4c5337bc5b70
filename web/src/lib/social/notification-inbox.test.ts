import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fromPush,
  markRead,
  mergeNotifications,
  notificationId,
  safeLink,
  type NotificationItem,
} from './notification-inbox.ts';

const item = (id: string, readAt: string | null = null): NotificationItem => ({
  id,
  kind: 'episode.new',
  text: `t${id}`,
  url: '/series/1',
  createdAt: '2026-01-01T00:00:00Z',
  readAt,
});

test('a push (n12) and a list entry (12) are one notification; newest first', () => {
  assert.equal(notificationId('n12'), '12');
  const merged = mergeNotifications(
    [item('9'), item('12', '2026-01-02T00:00:00Z')],
    [
      fromPush({ id: 'n12', k: 'episode.new', t: 'again', ts: 1 }),
      fromPush({ id: 'n100', k: 'x', t: 'y', ts: 2 }),
    ],
  );
  assert.deepEqual(
    merged.map((n) => n.id),
    ['100', '12', '9'],
  );
  assert.equal(merged[1]!.readAt, '2026-01-02T00:00:00Z', 'a read entry stays read');
  assert.equal(merged[0]!.url, null);
});

test('marking read touches only the chosen unread entries', () => {
  const at = '2026-02-01T00:00:00Z';
  const items = [item('3'), item('2'), item('1', 'earlier')];
  assert.deepEqual(
    markRead(items, ['2', '1'], at).map((n) => n.readAt),
    [null, at, 'earlier'],
  );
  assert.deepEqual(
    markRead(items, 'all', at).map((n) => n.readAt),
    [at, at, 'earlier'],
  );
});

test('only same-origin paths are followed', () => {
  assert.equal(safeLink('/watch/3'), '/watch/3');
  assert.equal(safeLink('//evil.example/x'), null);
  assert.equal(safeLink('https://evil.example'), null);
  assert.equal(safeLink(null), null);
});
