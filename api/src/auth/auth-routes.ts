import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { REALTIME_AUDIENCE, signAccessToken } from '@binge/core/auth/access-token';
import type { AuthSession, RealtimeToken, User } from '@binge/core/protocol/catalog';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import {
  AuthSessionSchema,
  DeviceName,
  RealtimeTokenSchema,
  UserSchema,
  sessionRequired,
} from './auth-schemas.ts';
import { guestDisplayName, guestHandle } from './guest-identity.ts';
import type { SessionGuard } from './session-guard.ts';
import { emptyBody } from './empty-body.ts';
import { originOf, type SessionIssuer } from './session-issuer.ts';
import { sessionError } from './session-viewer.ts';
import type { UserRepository } from './user-repository.ts';

export interface GuestLimit {
  /** Guest accounts one IP address may create per window. */
  max: number;
  timeWindowMs: number;
}

export interface AuthRoutesOptions {
  users: UserRepository;
  guard: SessionGuard;
  issuer: SessionIssuer;
  /** The access-token key: also signs the gateway-only tokens of POST /realtime/token. */
  tokenKey: Uint8Array;
  realtimeTokenTtlSeconds: number;
  realtimeUrl: string;
  guestLimit: GuestLimit;
  nowMs?: () => number;
}

/** Handle draws before giving up; with 50 random bits a second draw is already vanishingly rare. */
const HANDLE_ATTEMPTS = 4;

export const unauthorized = problemResponse(
  'AUTH_REQUIRED',
  'SESSION_INVALID',
  'SESSION_EXPIRED',
  'SESSION_REVOKED',
);

/** Guest accounts, the caller's account and gateway tokens, under /api/v1. */
export async function authRoutes(app: FastifyInstance, options: AuthRoutesOptions) {
  const { users, guard, issuer, guestLimit } = options;
  const nowMs = options.nowMs ?? Date.now;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.post(
    '/auth/guest',
    {
      config: { rateLimit: { max: guestLimit.max, timeWindow: guestLimit.timeWindowMs } },
      preValidation: emptyBody,
      schema: {
        summary: 'Create a guest account for this device and sign it in',
        description:
          'Call once on first launch and keep the session; every call makes a new account. A ' +
          'guest signing in later with a phone (or linking WeChat/Weibo) keeps this account. ' +
          `Limited to ${guestLimit.max} per IP address per ${guestLimit.timeWindowMs / 60_000} ` +
          'minutes (429 RATE_LIMITED with Retry-After).',
        tags: ['auth'],
        body: Type.Object({ deviceName: Type.Optional(DeviceName) }),
        response: {
          201: AuthSessionSchema,
          400: problemResponse('VALIDATION_FAILED'),
          429: problemResponse('RATE_LIMITED'),
        },
      },
    },
    async (request, reply): Promise<AuthSession> => {
      const displayName = guestDisplayName();
      let user: User | null = null;
      for (let attempt = 0; user === null && attempt < HANDLE_ATTEMPTS; attempt++)
        user = await users.insertGuest({ handle: guestHandle(), displayName });
      if (user === null) throw new Error(`no free guest handle after ${HANDLE_ATTEMPTS} draws`);
      const session = await issuer.start(user, originOf(request, request.body.deviceName));
      // RFC 6749 §5.1: responses carrying tokens must not be stored by any cache.
      reply.code(201).header('cache-control', 'no-store');
      return session;
    },
  );

  typed.get(
    '/me',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'The signed-in account',
        tags: ['auth'],
        security: sessionRequired,
        response: { 200: UserSchema, 401: unauthorized, 403: problemResponse('ACCOUNT_BANNED') },
      },
    },
    async (request, reply): Promise<User> => {
      reply.header('cache-control', 'private, no-store');
      return guard.userOf(request);
    },
  );

  typed.post(
    '/realtime/token',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'A short-lived token for the realtime gateway only',
        description:
          'The gateway accepts the access token itself too; this one is for handing to code that ' +
          'should not hold an API credential (it is refused by every API route). It belongs to ' +
          'the same session, so signing out ends it; the role is read from the account now.',
        tags: ['auth'],
        security: sessionRequired,
        response: { 200: RealtimeTokenSchema, 401: unauthorized },
      },
    },
    async (request, reply): Promise<RealtimeToken> => {
      const user = guard.userOf(request);
      const sessionId = guard.sessionOf(request);
      if (sessionId === null) throw sessionError('SESSION_INVALID', 'This request has no session');
      const { token, claims } = await signAccessToken(options.tokenKey, {
        userId: user.id,
        sessionId,
        role: user.role,
        audience: REALTIME_AUDIENCE,
        ttlSeconds: options.realtimeTokenTtlSeconds,
        nowMs: nowMs(),
      });
      reply.header('cache-control', 'no-store');
      return {
        token,
        expiresAt: new Date(claims.expiresAtMs).toISOString(),
        url: options.realtimeUrl,
      };
    },
  );
}
