import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { createCursorCodec } from './page-cursor.ts';

const secret = 'cursor-test-secret-0123456789abcdef';
const codec = createCursorCodec(secret);
const cursor = { publishedAt: '2024-05-01 10:00:00.123456+00', id: 42 };

const isInvalidCursor = (error: unknown) =>
  error instanceof AppError && error.code === 'INVALID_CURSOR';

test('round-trips and is URL-safe', () => {
  const token = codec.encode(cursor);
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/);
  assert.deepEqual(codec.decode(token), cursor);
});

test('rejects garbled, truncated and forged cursors', () => {
  const token = codec.encode(cursor);
  const [payload, sig] = token.split('.') as [string, string];
  const forgedPayload = Buffer.from(
    JSON.stringify({ v: 1, p: "x'; drop table series; --", i: 1 }),
  ).toString('base64url');
  for (const bad of [
    '',
    'abc',
    '.',
    `${payload}.`,
    `.${sig}`,
    token.slice(0, -1),
    `${payload}x.${sig}`,
    `${forgedPayload}.${sig}`,
    `${payload}.${sig}.${sig}`,
    'x'.repeat(600),
    createCursorCodec('another-secret-0123456789abcdef0').encode(cursor),
  ])
    assert.throws(() => codec.decode(bad), isInvalidCursor, bad);
});

test('rejects a correctly signed payload of the wrong version or shape', () => {
  const key = createHmac('sha256', secret).update('binge/page-cursor').digest();
  const signed = (value: unknown) => {
    const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url').slice(0, 16)}`;
  };
  assert.deepEqual(codec.decode(signed({ v: 1, p: cursor.publishedAt, i: 42 })), cursor);
  for (const value of [
    { v: 2, p: cursor.publishedAt, i: 42 },
    { v: 1, p: 'not a date', i: 42 },
    { v: 1, p: cursor.publishedAt, i: 0 },
    { v: 1, p: cursor.publishedAt, i: 2 ** 31 },
    { v: 1, p: cursor.publishedAt, i: '42' },
    null,
    [1, 2],
  ])
    assert.throws(() => codec.decode(signed(value)), isInvalidCursor, JSON.stringify(value));
});
