import { Type } from '@fastify/type-provider-typebox';

/**
 * TypeBox schemas of the account wire types in core/src/protocol/catalog.ts; auth-schemas.test.ts
 * checks at the type level that each is exactly its interface.
 */
export const UserSchema = Type.Object({
  id: Type.Integer(),
  handle: Type.String({ description: 'Unique; a guest has guest_ and 10 base32 characters' }),
  displayName: Type.String(),
  role: Type.Union([Type.Literal('viewer'), Type.Literal('creator'), Type.Literal('admin')]),
});

export const GuestSessionSchema = Type.Object({
  user: UserSchema,
  sessionToken: Type.String({ description: 'Send as Authorization: Bearer <sessionToken>' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const RealtimeTokenSchema = Type.Object({
  token: Type.String({ description: 'hello.tk / refresh.tk of the realtime protocol' }),
  expiresAt: Type.String({
    format: 'date-time',
    description: 'Fetch a fresh token and send refresh before this',
  }),
  url: Type.String({ description: 'The gateway WebSocket URL; relative means same origin' }),
});

/** OpenAPI `security` of routes that need a session, and of those where one is optional. */
export const sessionRequired: Array<Record<string, string[]>> = [{ session: [] }];
export const sessionOptional: Array<Record<string, string[]>> = [{}, { session: [] }];
