import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Static } from '@fastify/type-provider-typebox';
import type {
  IdentityList,
  LinkedIdentity,
  OAuthCallbackResult,
  OAuthStart,
  SessionDevice,
  SessionList,
  SmsCodeSent,
} from '@binge/core/protocol/accounts';
import type { AuthSession, GuestSession, RealtimeToken, User } from '@binge/core/protocol/catalog';
import {
  AuthSessionSchema,
  IdentityListSchema,
  LinkedIdentitySchema,
  OAuthCallbackResultSchema,
  OAuthStartSchema,
  RealtimeTokenSchema,
  SessionDeviceSchema,
  SessionListSchema,
  SmsCodeSentSchema,
  UserSchema,
} from './auth-schemas.ts';

/** Compiles only when A and B are the same type (both directions, optionality included). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T) {}

// `npm run typecheck` fails here if a schema drifts from core/src/protocol.
assertType<Equal<Static<typeof UserSchema>, User>>();
assertType<Equal<Static<typeof AuthSessionSchema>, AuthSession>>();
assertType<Equal<Static<typeof AuthSessionSchema>, GuestSession>>();
assertType<Equal<Static<typeof RealtimeTokenSchema>, RealtimeToken>>();
assertType<Equal<Static<typeof SessionDeviceSchema>, SessionDevice>>();
assertType<Equal<Static<typeof SessionListSchema>, SessionList>>();
assertType<Equal<Static<typeof SmsCodeSentSchema>, SmsCodeSent>>();
assertType<Equal<Static<typeof LinkedIdentitySchema>, LinkedIdentity>>();
assertType<Equal<Static<typeof IdentityListSchema>, IdentityList>>();
assertType<Equal<Static<typeof OAuthStartSchema>, OAuthStart>>();
assertType<Equal<Static<typeof OAuthCallbackResultSchema>, OAuthCallbackResult>>();

test('account schemas require every field of their wire type', () => {
  const required = (schema: { required?: string[] }) => [...(schema.required ?? [])].sort();
  assert.deepEqual(required(UserSchema), ['displayName', 'handle', 'id', 'role']);
  assert.deepEqual(required(AuthSessionSchema), [
    'accessToken',
    'accessTokenExpiresAt',
    'refreshToken',
    'refreshTokenExpiresAt',
    'sessionId',
    'user',
  ]);
  assert.deepEqual(required(RealtimeTokenSchema), ['expiresAt', 'token', 'url']);
  assert.deepEqual(required(SessionDeviceSchema), [
    'createdAt',
    'current',
    'deviceName',
    'id',
    'lastSeenAt',
  ]);
  assert.deepEqual(required(OAuthCallbackResultSchema), ['identities', 'returnTo', 'session']);
  assert.deepEqual(required(SessionListSchema), ['items']);
  assert.deepEqual(required(SmsCodeSentSchema), ['expiresAt', 'resendAfterSeconds']);
  assert.deepEqual(required(IdentityListSchema), ['isGuest', 'items']);
  assert.deepEqual(required(LinkedIdentitySchema), ['hint', 'lastUsedAt', 'linkedAt', 'provider']);
  assert.deepEqual(required(OAuthStartSchema), ['authorizeUrl', 'expiresAt', 'state']);
});
