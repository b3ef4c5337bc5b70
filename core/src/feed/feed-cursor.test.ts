import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeedCursor } from '../protocol/realtime/payloads.ts';
import { ImpressionToken } from '../protocol/watch-events.ts';
import { Value } from '@sinclair/typebox/value';
import { createFeedCursorCodec, hotRequestIdOf, impressionOf, requestIdOf } from './feed-cursor.ts';
import { FeedCursorError } from './feed-service.ts';

const secret = 'a'.repeat(32);
const codec = createFeedCursorCodec(secret);
const now = new Date('2026-11-23T12:00:00Z');

test('a cursor carries the session to the next page and fits the protocol', () => {
  const first = codec.start(42, now);
  assert.equal(first.page, 0);
  assert.equal(first.startedAt, now.getTime());
  const state = { ...first, page: 7, offset: 120 };
  const token = codec.encode(state);
  assert.ok(Value.Check(FeedCursor, token), token);
  assert.deepEqual(codec.decode(token, 42), state);

  const anonymous = codec.start(null, now);
  assert.deepEqual(codec.decode(codec.encode(anonymous), null), anonymous);
  assert.notEqual(anonymous.session, first.session);

  const requestId = requestIdOf(first.session, 1234);
  assert.ok(Value.Check(ImpressionToken, impressionOf(requestId, 49)), requestId);
  // The hot order's pages are named apart from the ranker's, whatever the page numbers.
  const hot = hotRequestIdOf(first.session, 1234);
  assert.ok(Value.Check(ImpressionToken, impressionOf(hot, 49)), hot);
  const ranked = new Set(Array.from({ length: 2000 }, (_, p) => requestIdOf(first.session, p)));
  for (let p = 0; p < 2000; p += 1) assert.ok(!ranked.has(hotRequestIdOf(first.session, p)));
});

test('a garbled, forged, foreign or other-viewer cursor is a FeedCursorError', () => {
  const token = codec.encode({ ...codec.start(42, now), page: 3 });
  const refused = (input: string, viewer: number | null = 42) =>
    assert.throws(() => codec.decode(input, viewer), FeedCursorError, input);
  refused('');
  refused('not-ours');
  refused('o1');
  refused(`${token}A`);
  refused(token.slice(0, -1));
  refused(token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
  // The body changed (page 3 → another), the signature kept: forged.
  const bytes = Buffer.from(token, 'base64url');
  bytes[8] = (bytes[8]! + 1) % 256;
  refused(bytes.toString('base64url'));
  // Signed with another secret.
  refused(createFeedCursorCodec('b'.repeat(32)).encode(codec.start(42, now)));
  // Shown by another viewer, or by the same person signed out.
  assert.throws(() => codec.decode(token, 43), /another viewer/);
  refused(token, null);
  refused(codec.encode(codec.start(null, now)), 42);
});

test('encode refuses a state no cursor can carry', () => {
  const state = codec.start(1, now);
  assert.throws(() => codec.encode({ ...state, page: -1 }), RangeError);
  assert.throws(() => codec.encode({ ...state, viewerId: 0 }), RangeError);
  assert.throws(() => codec.encode({ ...state, session: 'short' }), RangeError);
  assert.throws(() => codec.encode({ ...state, offset: 1.5 }), RangeError);
});
