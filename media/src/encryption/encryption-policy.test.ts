import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shouldEncrypt } from './encryption-policy.ts';

test('all, paid and none', () => {
  assert.equal(shouldEncrypt('all', { isFree: true }), true);
  assert.equal(shouldEncrypt('paid', { isFree: true }), false);
  assert.equal(shouldEncrypt('paid', { isFree: false }), true);
  assert.equal(shouldEncrypt('none', { isFree: false }), false);
});
