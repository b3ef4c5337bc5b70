import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  closeCodeFor,
  closeCodeNames,
  closeCodes,
  errorCode,
  errorCodeName,
  errorCodeNames,
  errorCodes,
  reconnectPolicy,
} from './codes.ts';

const doc = readFileSync(new URL('../../../../docs/protocol.md', import.meta.url), 'utf8');
const rows = doc.split('\n').filter((line) => line.startsWith('|'));

test('every error code is documented in docs/protocol.md with its number', () => {
  for (const name of errorCodeNames) {
    const row = rows.find((line) => line.includes(`\`${name}\``) && /^\|\s*1\d\d\s*\|/.test(line));
    assert.ok(row, `${name} is missing from the error table of docs/protocol.md`);
    assert.match(row, new RegExp(`^\\|\\s*${errorCodes[name].code}\\s*\\|`), name);
  }
});

test('every close code is documented in docs/protocol.md with its number and policy', () => {
  for (const name of closeCodeNames) {
    const row = rows.find((line) => line.includes(`\`${name}\``) && /^\|\s*4\d{3}\s*\|/.test(line));
    assert.ok(row, `${name} is missing from the close table of docs/protocol.md`);
    assert.match(row, new RegExp(`^\\|\\s*${closeCodes[name].code}\\s*\\|`), name);
    assert.ok(row.includes(`\`${closeCodes[name].reconnect}\``), `${name} reconnect policy`);
  }
});

test('docs/protocol.md documents no code the tables lack', () => {
  for (const row of rows) {
    const match = /^\|\s*(\d{3,4})\s*\|\s*`([A-Z_]+)`/.exec(row);
    if (!match) continue;
    const [, number, name] = match;
    const known =
      (errorCodeNames as string[]).includes(name!) || (closeCodeNames as string[]).includes(name!);
    assert.ok(known, `${name} (${number}) is not in codes.ts`);
  }
});

test('codes are unique and in their ranges; the range says whether to reconnect', () => {
  const errors = errorCodeNames.map((name) => errorCodes[name].code);
  assert.equal(new Set(errors).size, errors.length);
  for (const code of errors) assert.ok(code >= 100 && code <= 199);
  const closes = closeCodeNames.map((name) => closeCodes[name].code);
  assert.equal(new Set(closes).size, closes.length);
  for (const name of closeCodeNames) {
    const { code, reconnect } = closeCodes[name];
    assert.ok(code >= 4000 && code <= 4999);
    assert.equal(code >= 4500, reconnect === 'never', name);
  }
});

test('the mapping from errors to close codes', () => {
  assert.equal(closeCodeFor('FRAME_TOO_LARGE'), 4501);
  assert.equal(closeCodeFor('BAD_FRAME'), 4500);
  assert.equal(closeCodeFor('UNSUPPORTED_VERSION'), 4503);
  assert.equal(closeCodeFor('TOKEN_EXPIRED'), 4003);
  assert.equal(closeCodeFor('RATE_LIMITED'), 4002);
  assert.equal(closeCodeFor('TEXT_REJECTED'), null);
  for (const name of errorCodeNames) {
    assert.equal(closeCodeFor(name) === null, errorCodes[name].closes === 'never', name);
  }
  assert.equal(errorCode('BAD_FRAME'), 101);
  assert.equal(errorCodeName(101), 'BAD_FRAME');
  assert.equal(errorCodeName(199), null);
});

test('reconnect policy for app and RFC 6455 close codes', () => {
  assert.equal(reconnectPolicy(4000), 'jitter');
  assert.equal(reconnectPolicy(4003), 'newToken');
  assert.equal(reconnectPolicy(4501), 'never');
  assert.equal(reconnectPolicy(4321), 'backoff');
  assert.equal(reconnectPolicy(4999), 'never');
  assert.equal(reconnectPolicy(1000), 'never');
  assert.equal(reconnectPolicy(1006), 'backoff');
  assert.equal(reconnectPolicy(1009), 'never');
  assert.equal(reconnectPolicy(1012), 'jitter');
});
