import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Danmu } from '@binge/core/protocol/catalog';
import { fromPublication, fromWindowItem, isOwnComment as isOwn } from './danmu-comment.ts';

const data = { mid: '17', uid: 5, t: '好看', pos: 12_500, mode: 1, col: '#FFaa00', size: 2 };

test('a gateway publication becomes a comment', () => {
  assert.deepEqual(fromPublication({ ...data, cmid: 'abcdefgh1' }), {
    mid: '17',
    uid: 5,
    text: '好看',
    posMs: 12_500,
    mode: 'top',
    colour: '#FFaa00',
    size: 2,
    cmid: 'abcdefgh1',
  });
  assert.equal(fromPublication(data)!.cmid, null);
});

test('malformed publications are refused, not shown', () => {
  const bad: unknown[] = [
    null,
    'x',
    { ...data, mid: '' },
    { ...data, mid: 'a b' },
    { ...data, uid: 0 },
    { ...data, uid: -1 },
    { ...data, t: '' },
    { ...data, t: 5 },
    { ...data, pos: -1 },
    { ...data, pos: 1.5 },
    { ...data, mode: 3 },
    { ...data, size: 9 },
    { ...data, col: 'red' },
    { ...data, col: '#fff' },
  ];
  for (const value of bad) assert.equal(fromPublication(value), null, JSON.stringify(value));
});

test('an HTTP window item becomes the same comment', () => {
  const item: Danmu = {
    mid: '17',
    episodeId: 3,
    userId: 5,
    text: '好看',
    posMs: 12_500,
    mode: 1,
    colour: '#FFaa00',
    size: 2,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  assert.deepEqual(fromWindowItem(item), fromPublication(data));
});

test('own: by user id or by one of this device’s client message ids', () => {
  const comment = fromPublication({ ...data, cmid: 'mine-0001' })!;
  assert.equal(isOwn(comment, 5, new Set()), true);
  assert.equal(isOwn(comment, 6, new Set()), false);
  assert.equal(isOwn(comment, null, new Set(['mine-0001'])), true);
  assert.equal(isOwn({ ...comment, cmid: null }, null, new Set(['mine-0001'])), false);
});
