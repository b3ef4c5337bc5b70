import { test } from 'node:test';
import assert from 'node:assert/strict';
import { returnPath } from './return-path.ts';

test('same-origin paths pass; other origins and junk fall back', () => {
  assert.equal(returnPath('/watch/3?t=1'), '/watch/3?t=1');
  assert.equal(returnPath('//evil.example/x'), '/me');
  assert.equal(returnPath('/\\evil.example'), '/me');
  assert.equal(returnPath('https://evil.example'), '/me');
  assert.equal(returnPath('/a b'), '/me');
  assert.equal(returnPath(null, '/'), '/');
});
