import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Static } from '@fastify/type-provider-typebox';
import type { GuestSession, RealtimeToken, User } from '@binge/core/protocol/catalog';
import { GuestSessionSchema, RealtimeTokenSchema, UserSchema } from './auth-schemas.ts';

/** Compiles only when A and B are the same type (both directions, optionality included). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T) {}

// `npm run typecheck` fails here if a schema drifts from core/src/protocol/catalog.ts.
assertType<Equal<Static<typeof UserSchema>, User>>();
assertType<Equal<Static<typeof GuestSessionSchema>, GuestSession>>();
assertType<Equal<Static<typeof RealtimeTokenSchema>, RealtimeToken>>();

test('account schemas require every field of their wire type', () => {
  assert.deepEqual([...(UserSchema.required ?? [])].sort(), [
    'displayName',
    'handle',
    'id',
    'role',
  ]);
  assert.deepEqual([...(GuestSessionSchema.required ?? [])].sort(), [
    'expiresAt',
    'sessionToken',
    'user',
  ]);
  assert.deepEqual([...(RealtimeTokenSchema.required ?? [])].sort(), ['expiresAt', 'token', 'url']);
});
