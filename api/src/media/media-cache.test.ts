import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMediaCache } from './media-cache.ts';

const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

test('a hit needs the same etag; a changed etag drops the entry', () => {
  const cache = createMediaCache({ maxBytes: 100, maxObjectBytes: 50 });
  cache.set('a', '"1"', bytes(10));
  assert.equal(cache.get('a', '"1"')?.length, 10);
  assert.equal(cache.get('a', '"2"'), null);
  assert.equal(cache.get('a', '"1"'), null, 'the stale entry is gone');
  assert.equal(cache.bytes, 0);
});

test('objects over the per-object limit are not kept', () => {
  const cache = createMediaCache({ maxBytes: 100, maxObjectBytes: 50 });
  cache.set('big', '"1"', bytes(51));
  assert.equal(cache.get('big', '"1"'), null);
  assert.equal(cache.bytes, 0);
});

test('the least recently used entries leave first, keeping the total within the budget', () => {
  const cache = createMediaCache({ maxBytes: 100, maxObjectBytes: 50 });
  cache.set('a', '"a"', bytes(40));
  cache.set('b', '"b"', bytes(40));
  assert.ok(cache.get('a', '"a"'), 'a is now the most recently used');
  cache.set('c', '"c"', bytes(40));
  assert.equal(cache.get('b', '"b"'), null, 'b was the least recently used');
  assert.ok(cache.get('a', '"a"'));
  assert.ok(cache.get('c', '"c"'));
  assert.equal(cache.bytes, 80);
});

test('replacing a key does not count its bytes twice', () => {
  const cache = createMediaCache({ maxBytes: 100, maxObjectBytes: 50 });
  cache.set('a', '"1"', bytes(30));
  cache.set('a', '"2"', bytes(20));
  assert.equal(cache.bytes, 20);
  assert.equal(cache.get('a', '"2"')?.length, 20);
});
