import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  guestDisplayName,
  guestHandle,
  guestHandlePattern,
  memberDisplayName,
  memberHandle,
  memberHandlePattern,
} from './guest-identity.ts';

test('guest handles are guest_ and 10 lower-case base32 characters', () => {
  const handles = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const handle = guestHandle();
    assert.match(handle, guestHandlePattern);
    handles.add(handle);
  }
  assert.equal(handles.size, 1000);
});

test('every base32 character is reachable, from the first to the last draw', () => {
  assert.equal(
    guestHandle(() => 0),
    'guest_aaaaaaaaaa',
  );
  assert.equal(
    guestHandle((n) => n - 1),
    'guest_7777777777',
  );
  let i = 0;
  assert.equal(
    guestHandle(() => 26 + (i++ % 6)),
    'guest_2345672345',
  );
});

test('display names are Guest and four digits', () => {
  assert.equal(
    guestDisplayName(() => 0),
    'Guest 1000',
  );
  assert.equal(
    guestDisplayName((n) => n - 1),
    'Guest 9999',
  );
  for (let i = 0; i < 100; i++) assert.match(guestDisplayName(), /^Guest [1-9]\d{3}$/);
});

test('accounts made by a phone or third-party sign-in get user_ handles and User names', () => {
  assert.match(memberHandle(), memberHandlePattern);
  assert.equal(
    memberHandle(() => 0),
    'user_aaaaaaaaaa',
  );
  assert.match(memberDisplayName(), /^User [1-9]\d{3}$/);
});
