import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeChallengeS256, newCodeVerifier } from './pkce.ts';

test('the S256 challenge of RFC 7636 appendix B', () => {
  assert.equal(
    codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
    'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  );
});

test('verifiers are 43 characters of the RFC 7636 alphabet, and fresh each time', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const verifier = newCodeVerifier();
    assert.match(verifier, /^[A-Za-z0-9\-._~]{43}$/);
    seen.add(verifier);
  }
  assert.equal(seen.size, 100);
});
