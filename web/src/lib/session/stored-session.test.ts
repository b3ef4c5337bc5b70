import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromAuthSession, needsRefresh, parseStoredSession } from './stored-session.ts';

const auth = {
  user: { id: 7, handle: 'guest_abc', displayName: 'Guest', role: 'viewer' as const },
  accessToken: 'a.b.c',
  accessTokenExpiresAt: '2026-01-01T00:15:00.000Z',
  refreshToken: 'r1',
  refreshTokenExpiresAt: '2026-01-31T00:00:00.000Z',
  sessionId: 's1',
};

test('a stored session round-trips and refreshes a minute before expiry', () => {
  const stored = fromAuthSession(auth, true);
  assert.deepEqual(parseStoredSession(JSON.stringify(stored)), stored);
  const expiry = Date.parse(auth.accessTokenExpiresAt);
  assert.equal(needsRefresh(stored, expiry - 120_000), false);
  assert.equal(needsRefresh(stored, expiry - 30_000), true);
});

test('garbage in storage is dropped, not trusted', () => {
  for (const raw of [
    null,
    '',
    '{',
    '[]',
    '42',
    '{"userId":"7"}',
    JSON.stringify({ ...fromAuthSession(auth, false), accessToken: '' }),
  ])
    assert.equal(parseStoredSession(raw), null, String(raw));
});
