import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardedFor, loopbackAddress } from './addresses.ts';

test('worker addresses are distinct loopback addresses, never 127.0.0.1', () => {
  const seen = new Set<string>();
  for (let n = 0; n < 2000; n += 1) {
    const address = loopbackAddress(n);
    assert.match(address, /^127\.1\.\d{1,3}\.\d{1,3}$/);
    assert.ok(address.split('.').every((part) => Number(part) <= 255));
    seen.add(address);
  }
  assert.equal(seen.size, 2000);
  assert.throws(() => loopbackAddress(-1), RangeError);
});

test('forwarded client IPs are distinct and inside 198.18.0.0/15', () => {
  assert.equal(forwardedFor(0), '198.18.0.0');
  assert.equal(forwardedFor(65_535), '198.18.255.255');
  assert.equal(forwardedFor(100_000), '198.19.134.160');
  assert.throws(() => forwardedFor(2 ** 17), RangeError);
});
