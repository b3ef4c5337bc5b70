import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRouteTable } from './method-not-allowed.ts';

test('matches parametric and wildcard patterns', () => {
  const table = createRouteTable();
  table.add('GET', '/api/v1/series/:id');
  table.add(['GET', 'HEAD'], '/media/*');
  table.add('POST', '/api/v1/series/:id');
  assert.deepEqual(table.allowed('/api/v1/series/12'), ['GET', 'POST']);
  assert.deepEqual(table.allowed('/media/tok/a/b.ts'), ['GET', 'HEAD']);
  assert.deepEqual(table.allowed('/api/v1/series/12/extra'), []);
  assert.deepEqual(table.allowed('/api/v1/seriesX12'), []);
  assert.deepEqual(table.allowed('/nowhere'), []);
});
