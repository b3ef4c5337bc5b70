import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newOpaqueToken, newSessionId, opaqueTokenPattern, sha256 } from './opaque-token.ts';
import { sessionIdPattern } from './access-token.ts';

test('tokens and session ids have the documented shapes and do not repeat', () => {
  const tokens = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const token = newOpaqueToken();
    assert.match(token, opaqueTokenPattern);
    assert.match(newSessionId(), sessionIdPattern);
    tokens.add(token);
  }
  assert.equal(tokens.size, 200);
});

test('sha256 is the base64url digest', () => {
  assert.equal(sha256('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
});
