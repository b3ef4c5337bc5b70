import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newClientKey } from './client-key.ts';

test('keys fit the pattern the API and the gateway take, and differ', () => {
  const a = newClientKey();
  assert.match(a, /^[A-Za-z0-9_-]{8,64}$/);
  assert.notEqual(a, newClientKey());
  assert.equal(
    newClientKey(() => '12345678-aaaa'),
    'k12345678aaaa',
  );
});
