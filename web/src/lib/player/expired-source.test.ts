import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isExpiredSourceError } from './expired-source.ts';

test('a network error answered 403 is an expired source, fatal or not', () => {
  assert.equal(
    isExpiredSourceError({ type: 'networkError', fatal: true, response: { code: 403 } }),
    true,
  );
  assert.equal(
    isExpiredSourceError({ type: 'networkError', fatal: false, response: { code: 403 } }),
    true,
  );
  assert.equal(
    isExpiredSourceError({ type: 'networkError', fatal: true, networkDetails: { status: 403 } }),
    true,
  );
});

test('other statuses and media errors are not', () => {
  assert.equal(
    isExpiredSourceError({ type: 'networkError', fatal: true, response: { code: 404 } }),
    false,
  );
  assert.equal(isExpiredSourceError({ type: 'networkError', fatal: true, response: {} }), false);
  assert.equal(
    isExpiredSourceError({ type: 'mediaError', fatal: true, response: { code: 403 } }),
    false,
  );
  assert.equal(
    isExpiredSourceError({ type: 'networkError', fatal: true, networkDetails: null }),
    false,
  );
});
