import { Type } from '@fastify/type-provider-typebox';

/**
 * TypeBox schemas of the account wire types in core/src/protocol/catalog.ts and accounts.ts;
 * auth-schemas.test.ts checks at the type level that each is exactly its interface.
 */
export const UserSchema = Type.Object({
  id: Type.Integer(),
  handle: Type.String({ description: 'Unique; a guest has guest_ and 10 base32 characters' }),
  displayName: Type.String(),
  role: Type.Union([Type.Literal('viewer'), Type.Literal('creator'), Type.Literal('admin')]),
});

const DateTime = (description?: string) =>
  Type.String({ format: 'date-time', ...(description === undefined ? {} : { description }) });

export const AuthSessionSchema = Type.Object({
  user: UserSchema,
  accessToken: Type.String({
    description: 'JWT; send as Authorization: Bearer <accessToken>, and in the gateway hello',
  }),
  accessTokenExpiresAt: DateTime('Refresh before this'),
  refreshToken: Type.String({
    description: 'Opaque, single use: POST /auth/refresh answers a new pair',
  }),
  refreshTokenExpiresAt: DateTime('Renewed by every refresh'),
  sessionId: Type.String({ description: 'This device in GET /me/sessions' }),
});

export const RealtimeTokenSchema = Type.Object({
  token: Type.String({ description: 'hello.tk / refresh.tk of the realtime protocol' }),
  expiresAt: Type.String({
    format: 'date-time',
    description: 'Fetch a fresh token and send refresh before this',
  }),
  url: Type.String({ description: 'The gateway WebSocket URL; relative means same origin' }),
});

export const SessionDeviceSchema = Type.Object({
  id: Type.String(),
  deviceName: Type.String(),
  createdAt: DateTime(),
  lastSeenAt: DateTime(),
  current: Type.Boolean({ description: 'The session of the token this was asked with' }),
});

export const SessionListSchema = Type.Object({ items: Type.Array(SessionDeviceSchema) });

export const SmsCodeSentSchema = Type.Object({
  expiresAt: DateTime('The code works until then'),
  resendAfterSeconds: Type.Integer({ minimum: 0 }),
});

const IdentityProviderSchema = Type.Union([
  Type.Literal('phone'),
  Type.Literal('wechat'),
  Type.Literal('weibo'),
]);

export const LinkedIdentitySchema = Type.Object({
  provider: IdentityProviderSchema,
  hint: Type.Union([Type.String(), Type.Null()], { description: 'The masked phone number' }),
  linkedAt: DateTime(),
  lastUsedAt: DateTime(),
});

export const IdentityListSchema = Type.Object({
  isGuest: Type.Boolean(),
  items: Type.Array(LinkedIdentitySchema),
});

export const OAuthStartSchema = Type.Object({
  authorizeUrl: Type.String({ description: "The provider's consent page; open it" }),
  state: Type.String(),
  expiresAt: DateTime('The callback must come back before then'),
});

export const OAuthCallbackResultSchema = Type.Object({
  session: Type.Union([AuthSessionSchema, Type.Null()], { description: 'A sign-in' }),
  identities: Type.Union([IdentityListSchema, Type.Null()], { description: 'A link' }),
  returnTo: Type.Union([Type.String(), Type.Null()]),
});

/** Bodies. Lengths are bounded so an oversized field is a 400 before any work. */
export const DeviceName = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'Shown in the device list; derived from User-Agent when absent',
});

export const PhoneNumber = Type.String({
  minLength: 1,
  maxLength: 32,
  description: 'E.164, e.g. +8613800138000 (spaces and dashes are ignored)',
});

export const SmsCode = Type.String({ pattern: '^[0-9]{6}$', description: 'The six digits sent' });

export const RefreshToken = Type.String({ minLength: 1, maxLength: 256 });

/** A 204 answer: no body. */
export const noContent = Type.Null({ description: 'Done; no body' });

/** OpenAPI `security` of routes that need a session, and of those where one is optional. */
export const sessionRequired: Array<Record<string, string[]>> = [{ session: [] }];
export const sessionOptional: Array<Record<string, string[]>> = [{}, { session: [] }];
