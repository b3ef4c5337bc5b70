import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canPublish,
  canSubscribe,
  formatChannel,
  parseChannel,
  type Channel,
  type Viewer,
} from './channels.ts';

const channels: Array<[string, Channel]> = [
  ['feed', { kind: 'feed' }],
  ['danmu:42', { kind: 'danmu', episodeId: 42 }],
  ['chat:9', { kind: 'chat', roomId: 9 }],
  ['dm:3', { kind: 'dm', userId: 3 }],
  ['progress:3', { kind: 'progress', userId: 3 }],
  ['live:42', { kind: 'live', episodeId: 42 }],
  ['live:creator:7', { kind: 'liveCreator', creatorId: 7 }],
  ['notify:3', { kind: 'notify', userId: 3 }],
  ['danmu:2147483647', { kind: 'danmu', episodeId: 2_147_483_647 }],
];

test('channel names parse to typed channels and format back', () => {
  for (const [name, channel] of channels) {
    assert.deepEqual(parseChannel(name), { ok: true, channel }, name);
    assert.equal(formatChannel(channel), name);
  }
});

test('malformed channel names are UNKNOWN_CHANNEL', () => {
  const bad = [
    '',
    'Feed',
    'feed:1',
    'danmu',
    'danmu:',
    'danmu:0',
    'danmu:042',
    'danmu:-1',
    'danmu:1.5',
    'danmu:1e3',
    'danmu: 1',
    'danmu:2147483648',
    'danmu:99999999999',
    'live:creator:',
    'live:creator:x',
    'live:creators:1',
    'dm:1:2',
    'admin:1',
    'chat:1\n',
    `danmu:${'1'.repeat(70)}`,
    42,
    null,
    undefined,
    {},
  ];
  for (const name of bad)
    assert.deepEqual(parseChannel(name), { ok: false, code: 'UNKNOWN_CHANNEL' }, String(name));
});

const anonymous: Viewer = { userId: null };
const owner: Viewer = { userId: 3 };
const creator: Viewer = { userId: 7, role: 'creator' };
const admin: Viewer = { userId: 99, role: 'admin' };

test('canSubscribe matrix', () => {
  const viewers = { anonymous, owner, creator, admin };
  // channel → expected outcome for [anonymous, user 3, creator 7, admin 99]
  const matrix: Array<[string, [string, string, string, string]]> = [
    ['feed', ['ok', 'ok', 'ok', 'ok']],
    ['danmu:42', ['ok', 'ok', 'ok', 'ok']],
    ['live:42', ['ok', 'ok', 'ok', 'ok']],
    ['chat:9', ['UNAUTHORIZED', 'ok', 'ok', 'ok']],
    ['dm:3', ['UNAUTHORIZED', 'ok', 'PERMISSION_DENIED', 'PERMISSION_DENIED']],
    ['progress:3', ['UNAUTHORIZED', 'ok', 'PERMISSION_DENIED', 'PERMISSION_DENIED']],
    ['notify:3', ['UNAUTHORIZED', 'ok', 'PERMISSION_DENIED', 'PERMISSION_DENIED']],
    ['live:creator:7', ['UNAUTHORIZED', 'PERMISSION_DENIED', 'ok', 'ok']],
  ];
  for (const [name, expected] of matrix) {
    const parsed = parseChannel(name);
    assert.ok(parsed.ok);
    const got = Object.values(viewers).map((viewer) => {
      const permission = canSubscribe(parsed.channel, viewer);
      return permission.ok ? 'ok' : permission.code;
    });
    assert.deepEqual(got, expected, name);
  }
});

test('canPublish matrix', () => {
  const viewers = [anonymous, owner, creator];
  const matrix: Array<[string, [string, string, string]]> = [
    ['feed', ['UNAUTHORIZED', 'PERMISSION_DENIED', 'PERMISSION_DENIED']],
    ['danmu:42', ['UNAUTHORIZED', 'ok', 'ok']],
    ['chat:9', ['UNAUTHORIZED', 'ok', 'ok']],
    ['dm:3', ['UNAUTHORIZED', 'PERMISSION_DENIED', 'ok']],
    ['progress:3', ['UNAUTHORIZED', 'ok', 'PERMISSION_DENIED']],
    ['live:42', ['UNAUTHORIZED', 'PERMISSION_DENIED', 'PERMISSION_DENIED']],
    ['live:creator:7', ['UNAUTHORIZED', 'PERMISSION_DENIED', 'PERMISSION_DENIED']],
    ['notify:3', ['UNAUTHORIZED', 'PERMISSION_DENIED', 'PERMISSION_DENIED']],
  ];
  for (const [name, expected] of matrix) {
    const parsed = parseChannel(name);
    assert.ok(parsed.ok);
    const got = viewers.map((viewer) => {
      const permission = canPublish(parsed.channel, viewer);
      return permission.ok ? 'ok' : permission.code;
    });
    assert.deepEqual(got, expected, name);
  }
});
