import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { createDiscussionCursorCodec } from './discussion-cursor.ts';

const codec = createDiscussionCursorCodec('a-secret-of-at-least-32-characters-long');

function refused(list: string, token: string) {
  assert.throws(
    () => codec.decode(list, token),
    (error: unknown) => error instanceof AppError && error.code === 'INVALID_CURSOR',
    token,
  );
}

test('a position round-trips through its own list', () => {
  const hot = codec.encode('comments:hot:e7', { key: 12, id: 9_007_199_254_740_991 });
  assert.match(hot, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/);
  assert.deepEqual(codec.decode('comments:hot:e7', hot), { key: 12, id: 9_007_199_254_740_991 });
  const replies = codec.encode('replies:c3', { id: 40 });
  assert.deepEqual(codec.decode('replies:c3', replies), { id: 40 });
});

test('a cursor of another list, order or secret is refused', () => {
  const token = codec.encode('comments:new:e7', { id: 5 });
  refused('comments:new:e8', token);
  refused('comments:hot:e7', token);
  const other = createDiscussionCursorCodec('another-secret-of-at-least-32-characters');
  refused('comments:new:e7', other.encode('comments:new:e7', { id: 5 }));
});

test('garbled, truncated, forged or oversized tokens are refused', () => {
  const token = codec.encode('reviews:top:s1', { key: 5, id: 10 });
  const [payload, signature] = token.split('.') as [string, string];
  for (const bad of [
    '',
    '.',
    'abc',
    token.slice(0, -1),
    `${payload}.`,
    `.${signature}`,
    `${payload}x.${signature}`,
    `${Buffer.from('{"v":1,"l":"reviews:top:s1","k":5,"i":1}').toString('base64url')}.${signature}`,
    `${payload}.${signature}${'a'.repeat(300)}`,
  ])
    refused('reviews:top:s1', bad);
});

test('values a signed payload could still hold wrongly are refused too', () => {
  for (const position of [
    { id: 0 },
    { id: -1 },
    { id: 1.5 },
    { id: 2 ** 53 },
    { key: -1, id: 1 },
    { key: 2 ** 31, id: 1 },
  ])
    refused('x', codec.encode('x', position));
});
