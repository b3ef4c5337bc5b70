import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfflineError, parseOfflineRequest } from './offline-protocol.ts';

const origin = 'http://127.0.0.1:8080';
const code = (data: unknown) => {
  try {
    parseOfflineRequest(data, origin);
  } catch (error) {
    assert.ok(error instanceof OfflineError);
    return error.code;
  }
  return null;
};

test('accepts the four requests, resolving a relative master URL', () => {
  assert.deepEqual(parseOfflineRequest({ type: 'usage' }, origin), { type: 'usage' });
  assert.deepEqual(parseOfflineRequest({ type: 'clear', extra: 1 }, origin), { type: 'clear' });
  assert.deepEqual(parseOfflineRequest({ type: 'set-cap', capBytes: 100 * 1024 * 1024 }, origin), {
    type: 'set-cap',
    capBytes: 100 * 1024 * 1024,
  });
  assert.deepEqual(
    parseOfflineRequest(
      { type: 'precache', episodeId: 7, masterUrl: '/media/1.3.a/e/7/1/master.m3u8' },
      origin,
    ),
    { type: 'precache', episodeId: 7, masterUrl: `${origin}/media/1.3.a/e/7/1/master.m3u8` },
  );
  assert.deepEqual(
    parseOfflineRequest(
      { type: 'precache', episodeId: 7, masterUrl: '/m.m3u8', maxRungHeight: 720 },
      origin,
    ).type,
    'precache',
  );
});

test('refuses malformed messages with a code', () => {
  assert.equal(code(null), 'OFFLINE_BAD_MESSAGE');
  assert.equal(code('usage'), 'OFFLINE_BAD_MESSAGE');
  assert.equal(code({ type: 'delete-everything' }), 'OFFLINE_BAD_MESSAGE');
  assert.equal(code({ type: 'precache', episodeId: 0, masterUrl: '/m' }), 'OFFLINE_BAD_MESSAGE');
  assert.equal(code({ type: 'precache', episodeId: 1.5, masterUrl: '/m' }), 'OFFLINE_BAD_MESSAGE');
  assert.equal(code({ type: 'precache', episodeId: 1 }), 'OFFLINE_BAD_MESSAGE');
  assert.equal(
    code({ type: 'precache', episodeId: 1, masterUrl: 'javascript:alert(1)' }),
    'OFFLINE_BAD_MESSAGE',
  );
  assert.equal(
    code({ type: 'precache', episodeId: 1, masterUrl: '/m', maxRungHeight: -360 }),
    'OFFLINE_BAD_MESSAGE',
  );
  assert.equal(code({ type: 'set-cap', capBytes: 5 }), 'OFFLINE_CAP_INVALID');
  assert.equal(code({ type: 'set-cap' }), 'OFFLINE_CAP_INVALID');
});
