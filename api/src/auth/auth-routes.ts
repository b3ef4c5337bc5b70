import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { signToken } from '@binge/core/auth/tokens';
import type { GuestSession, RealtimeToken, User } from '@binge/core/protocol/catalog';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import {
  GuestSessionSchema,
  RealtimeTokenSchema,
  UserSchema,
  sessionRequired,
} from './auth-schemas.ts';
import { guestDisplayName, guestHandle } from './guest-identity.ts';
import type { SessionGuard } from './session-guard.ts';
import type { UserRepository } from './user-repository.ts';

export interface GuestLimit {
  /** Guest accounts one IP address may create per window. */
  max: number;
  timeWindowMs: number;
}

export interface AuthRoutesOptions {
  users: UserRepository;
  guard: SessionGuard;
  /** AUTH_SECRET: signs session tokens here and gateway tokens that the gateway verifies. */
  secret: string;
  realtimeTokenTtlSeconds: number;
  realtimeUrl: string;
  guestLimit: GuestLimit;
  nowMs?: () => number;
}

/**
 * A device keeps its guest session for a year, as short-drama apps keep a first-launch account:
 * losing it loses the viewer's unlocks and progress, and there is no password to recover it with
 * until real sign-in lands.
 */
export const SESSION_TTL_MS = 365 * 24 * 3600 * 1000;
/** Handle draws before giving up; with 50 random bits a second draw is already vanishingly rare. */
const HANDLE_ATTEMPTS = 4;

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');

/** Guest accounts, their session tokens, the caller's account and gateway tokens, under /api/v1. */
export async function authRoutes(app: FastifyInstance, options: AuthRoutesOptions) {
  const { users, guard, secret, guestLimit } = options;
  const nowMs = options.nowMs ?? Date.now;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();


  typed.post(
    '/auth/guest',
    {
      config: { rateLimit: { max: guestLimit.max, timeWindow: guestLimit.timeWindowMs } },
      schema: {
        summary: 'Create a guest account for this device and its session token',
        description:
          'Call once on first launch and keep the token; every call makes a new account. ' +
          `Limited to ${guestLimit.max} per IP address per ${guestLimit.timeWindowMs / 60_000} ` +
          'minutes (429 RATE_LIMITED with Retry-After).',
        tags: ['auth'],
        response: { 201: GuestSessionSchema, 429: problemResponse('RATE_LIMITED') },
      },
    },
    async (_request, reply): Promise<GuestSession> => {
      const displayName = guestDisplayName();
      let user: User | null = null;
      for (let attempt = 0; user === null && attempt < HANDLE_ATTEMPTS; attempt++)
        user = await users.insertGuest({ handle: guestHandle(), displayName });
      if (user === null) throw new Error(`no free guest handle after ${HANDLE_ATTEMPTS} draws`);
      const { token, claims } = signToken(secret, {
        userId: user.id,
        role: user.role,
        audience: 'session',
        ttlMs: SESSION_TTL_MS,
        nowMs: nowMs(),
      });
      // RFC 6749 §5.1: responses carrying tokens must not be stored by any cache.
      reply.code(201).header('cache-control', 'no-store');
      return { user, sessionToken: token, expiresAt: new Date(claims.exp).toISOString() };
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
        response: { 200: UserSchema, 401: unauthorized },
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
        summary: 'A short-lived token for the realtime gateway',
        description:
          'Send it in hello (or ?token= on the upgrade) and, before it expires, a fresh one in ' +
          'refresh. The role is read from the account now, not from the session token.',
        tags: ['auth'],
        security: sessionRequired,
        response: { 200: RealtimeTokenSchema, 401: unauthorized },
      },
    },
    async (request, reply): Promise<RealtimeToken> => {
      const user = guard.userOf(request);
      const { token, claims } = signToken(secret, {
        userId: user.id,
        role: user.role,
        audience: 'rt',
        ttlMs: options.realtimeTokenTtlSeconds * 1000,
        nowMs: nowMs(),
      });
      reply.header('cache-control', 'no-store');
      return { token, expiresAt: new Date(claims.exp).toISOString(), url: options.realtimeUrl };
    },
  );
}
