import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiOrigin, ApiOriginError, isApiPath } from './api-origin.ts';

test('a configured API_INTERNAL_URL wins, reduced to its origin', () => {
  assert.equal(
    apiOrigin({
      configured: 'http://api.internal:8080/ignored',
      localAddress: '127.0.0.1',
      localPort: 3000,
    }),
    'http://api.internal:8080',
  );
});

test('otherwise the local socket the page request arrived on', () => {
  assert.equal(
    apiOrigin({ configured: undefined, localAddress: '127.0.0.1', localPort: 4321 }),
    'http://127.0.0.1:4321',
  );
  assert.equal(
    apiOrigin({ configured: '  ', localAddress: '::1', localPort: 80 }),
    'http://[::1]:80',
  );
  assert.equal(
    apiOrigin({ configured: undefined, localAddress: '::ffff:10.0.0.5', localPort: 8080 }),
    'http://10.0.0.5:8080',
  );
});

test('no socket information and nothing configured leaves the request alone', () => {
  assert.equal(
    apiOrigin({ configured: undefined, localAddress: undefined, localPort: undefined }),
    null,
  );
});

test('a malformed or non-http API_INTERNAL_URL is a coded error', () => {
  for (const configured of ['not a url', 'ftp://api:21']) {
    assert.throws(
      () => apiOrigin({ configured, localAddress: undefined, localPort: undefined }),
      (error: unknown) =>
        error instanceof ApiOriginError && error.code === 'API_INTERNAL_URL_INVALID',
    );
  }
});

test('only /api/ and /media/ paths are API paths', () => {
  assert.equal(isApiPath('/api/v1/series'), true);
  assert.equal(isApiPath('/media/tok/ep/master.m3u8'), true);
  assert.equal(isApiPath('/apiary'), false);
  assert.equal(isApiPath('/series/1'), false);
});
