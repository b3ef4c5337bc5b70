import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Static } from '@fastify/type-provider-typebox';
import type {
  ChatMessage,
  Danmu,
  DanmuWindow,
  DirectMessage,
  WatchProgress,
} from '@binge/core/protocol/catalog';
import type { DanmuWindowSchema } from './realtime-schemas.ts';
import {
  ChatMessageSchema,
  DanmuSchema,
  DirectMessageSchema,
  WatchProgressSchema,
} from './realtime-schemas.ts';

/** Compiles only when A and B are the same type (both directions, optionality included). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T) {}

// `npm run typecheck` fails here if a schema drifts from core/src/protocol/catalog.ts.
assertType<Equal<Static<typeof WatchProgressSchema>, WatchProgress>>();
assertType<Equal<Static<typeof ChatMessageSchema>, ChatMessage>>();
assertType<Equal<Static<typeof DirectMessageSchema>, DirectMessage>>();
assertType<Equal<Static<typeof DanmuSchema>, Danmu>>();
assertType<Equal<Static<typeof DanmuWindowSchema>, DanmuWindow>>();

test('cmid is the only optional field: it goes to its author alone', () => {
  for (const schema of [ChatMessageSchema, DirectMessageSchema, DanmuSchema]) {
    const keys = Object.keys(schema.properties);
    const required = new Set<string>(schema.required ?? []);
    assert.deepEqual(
      keys.filter((key) => !required.has(key)),
      ['cmid'],
    );
  }
  assert.deepEqual([...(WatchProgressSchema.required ?? [])].sort(), [
    'durationMs',
    'episodeId',
    'hlc',
    'positionMs',
  ]);
});
