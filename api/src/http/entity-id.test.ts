import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { parseEntityId } from './entity-id.ts';

test('accepts positive int4 ids', () => {
  assert.equal(parseEntityId('1'), 1);
  assert.equal(parseEntityId('2147483647'), 2147483647);
});

test('rejects everything else with INVALID_ID', () => {
  for (const raw of [
    '0',
    '-1',
    'abc',
    '1e3',
    '0x10',
    '01',
    ' 1',
    '1.0',
    '',
    '2147483648',
    '99999999999',
  ]) {
    assert.throws(
      () => parseEntityId(raw),
      (error: unknown) => error instanceof AppError && error.code === 'INVALID_ID',
      raw,
    );
  }
});
