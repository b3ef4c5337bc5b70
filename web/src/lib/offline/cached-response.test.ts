import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerFromCache, isStorable, storableHeaders } from './cached-response.ts';

const bytes = new Uint8Array(Array.from({ length: 100 }, (_, index) => index));
const stored = () =>
  new Response(bytes, {
    headers: storableHeaders(
      new Headers({ 'content-type': 'video/mp2t', 'cache-control': 'max-age=60', etag: '"e"' }),
      100,
    ),
  });

test('stored headers keep type and validators, drop token-bound cache lifetimes', () => {
  const headers = storableHeaders(
    new Headers({
      'content-type': 'video/mp2t',
      'cache-control': 'public, max-age=60',
      etag: '"e"',
    }),
    100,
  );
  assert.equal(headers.get('content-type'), 'video/mp2t');
  assert.equal(headers.get('etag'), '"e"');
  assert.equal(headers.get('cache-control'), null);
  assert.equal(headers.get('content-length'), '100');
});

test('a whole answer is a fresh 200 without the stored URL', async () => {
  const answer = await answerFromCache(stored(), null);
  assert.equal(answer.status, 200);
  assert.equal(answer.url, '');
  assert.equal(answer.headers.get('x-binge-offline'), 'hit');
  assert.deepEqual(new Uint8Array(await answer.arrayBuffer()), bytes);
});

test('a Range request gets its slice as 206, or 416 past the end', async () => {
  const part = await answerFromCache(stored(), 'bytes=10-19');
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), 'bytes 10-19/100');
  assert.deepEqual(
    [...new Uint8Array(await part.arrayBuffer())],
    [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
  );
  const past = await answerFromCache(stored(), 'bytes=100-');
  assert.equal(past.status, 416);
  assert.equal(past.headers.get('content-range'), 'bytes */100');
});

test('only complete 200s are storable', () => {
  assert.equal(isStorable(new Response('x', { status: 200 })), true);
  assert.equal(isStorable(new Response('x', { status: 206 })), false);
  assert.equal(isStorable(new Response('x', { status: 403 })), false);
  assert.equal(isStorable(new Response('x', { status: 500 })), false);
});
