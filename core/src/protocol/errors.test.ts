import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorCodes, errorRegistry, isErrorCode, problemType } from './errors.ts';

const errorsDoc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

test('every code is documented in docs/errors.md with its status', () => {
  for (const code of errorCodes) {
    const row = errorsDoc.split('\n').find((line) => line.includes(`\`${code}\``));
    assert.ok(row, `${code} is missing from docs/errors.md`);
    assert.match(row, new RegExp(`\\|\\s*${errorRegistry[code].status}\\s*\\|`), `${code} status`);
  }
});

test('docs/errors.md documents no code that the registry lacks', () => {
  const documented = [...errorsDoc.matchAll(/^\|\s*`([A-Z_]+)`/gm)].map((m) => m[1]);
  assert.ok(documented.length > 0);
  for (const code of documented) assert.ok(isErrorCode(code), `${code} is not in the registry`);
});

test('statuses are HTTP error statuses and codes are SCREAMING_SNAKE', () => {
  for (const code of errorCodes) {
    assert.match(code, /^[A-Z]+(_[A-Z]+)*$/);
    const { status } = errorRegistry[code];
    assert.ok(status >= 400 && status <= 599, `${code}: ${status}`);
  }
});

test('problem type URIs are kebab-case and unique', () => {
  assert.equal(problemType('EPISODE_NOT_FOUND'), 'https://binge.dev/problems/episode-not-found');
  assert.equal(new Set(errorCodes.map(problemType)).size, errorCodes.length);
  assert.equal(isErrorCode('toString'), false);
  assert.equal(isErrorCode(42), false);
});
