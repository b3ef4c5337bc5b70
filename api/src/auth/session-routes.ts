import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { SessionStore } from '@binge/core/accounts/session-store';
import type { SessionList } from '@binge/core/protocol/accounts';
import type { AuthSession } from '@binge/core/protocol/catalog';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { unauthorized } from './auth-routes.ts';
import {
  AuthSessionSchema,
  RefreshToken,
  SessionListSchema,
  noContent,
  sessionRequired,
} from './auth-schemas.ts';
import type { SessionGuard } from './session-guard.ts';
import type { SessionIssuer } from './session-issuer.ts';
import { sessionError, type SessionChecker } from './session-viewer.ts';
import type { UserRepository } from './user-repository.ts';

export interface SessionRoutesOptions {
  sessions: SessionStore;
  issuer: SessionIssuer;
  users: UserRepository;
  guard: SessionGuard;
  /** This process's session lookups, forgotten as sessions are revoked here. */
  checker: Pick<SessionChecker, 'forget'>;
  /** Refreshes per IP address and minute (a client needs one per 15 minutes). */
  refreshLimit: { max: number; timeWindowMs: number };
  nowMs?: () => number;
}

/**
 * Token refresh, sign-out and the device list, under /api/v1. Every revocation here also drops
 * this process's cached lookup (session-viewer.ts), so the signed-out token is refused by the very
 * next request; other API processes refuse it once their few-second cache entry lapses.
 */
export async function sessionRoutes(app: FastifyInstance, options: SessionRoutesOptions) {
  const { sessions, issuer, users, guard, checker } = options;
  const nowMs = options.nowMs ?? Date.now;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  typed.post(
    '/auth/refresh',
    {
      config: {
        rateLimit: { max: options.refreshLimit.max, timeWindow: options.refreshLimit.timeWindowMs },
      },
      schema: {
        summary: 'Trade the refresh token for a new token pair',
        description:
          'The refresh token works once: the answer carries its successor, and both its and the ' +
          "session's expiry move 30 days on. Presenting a used refresh token again revokes the " +
          'whole session (401 REFRESH_TOKEN_REUSED): refresh one request at a time per device and ' +
          'keep only the newest token. No bearer needed.',
        tags: ['auth'],
        body: Type.Object({ refreshToken: RefreshToken }),
        response: {
          200: AuthSessionSchema,
          400: problemResponse('VALIDATION_FAILED'),
          401: problemResponse('REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'SESSION_REVOKED'),
          403: problemResponse('ACCOUNT_BANNED'),
          429: problemResponse('RATE_LIMITED'),
        },
      },
    },
    async (request): Promise<AuthSession> => {
      const result = await issuer.rotate(request.body.refreshToken);
      switch (result.kind) {
        case 'invalid':
          throw new AppError('REFRESH_TOKEN_INVALID', 'Unknown or expired refresh token; sign in');
        case 'reused':
          checker.forget([result.sessionId]);
          request.log.warn(
            { userId: result.userId, sessionId: result.sessionId },
            'refresh token replayed: session revoked',
          );
          throw new AppError(
            'REFRESH_TOKEN_REUSED',
            'This refresh token was already used; the session is revoked, sign in again',
          );
        case 'revoked':
          throw new AppError('SESSION_REVOKED', 'This session was signed out; sign in again');
        case 'rotated':
          break;
      }
      const account = await users.findAccount(result.userId);
      if (account === null) throw sessionError('SESSION_INVALID', 'The account no longer exists');
      if (account.bannedAt !== null) {
        await sessions.revoke(result.userId, result.sessionId, 'banned', new Date(nowMs()));
        checker.forget([result.sessionId]);
        const reason = account.banReason ? `: ${account.banReason}` : '';
        throw new AppError('ACCOUNT_BANNED', `The account ${result.userId} is banned${reason}`);
      }
      return issuer.pair(account.user, result.sessionId, result.refresh);
    },
  );

  typed.post(
    '/auth/logout',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Sign this device out',
        description:
          'Revokes the session of the bearer token: its access and refresh tokens stop working.',
        tags: ['auth'],
        security: sessionRequired,
        response: { 204: noContent, 401: unauthorized },
      },
    },
    async (request, reply) => {
      const sessionId = guard.sessionOf(request);
      if (sessionId !== null) {
        await sessions.revoke(guard.userOf(request).id, sessionId, 'logout', new Date(nowMs()));
        checker.forget([sessionId]);
      }
      return reply.code(204).send(null);
    },
  );

  typed.post(
    '/auth/logout-all',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Sign every device of the account out, this one included',
        tags: ['auth'],
        security: sessionRequired,
        response: { 204: noContent, 401: unauthorized },
      },
    },
    async (request, reply) => {
      const revoked = await sessions.revokeAll(
        guard.userOf(request).id,
        'logout_all',
        new Date(nowMs()),
      );
      checker.forget(revoked);
      return reply.code(204).send(null);
    },
  );

  typed.get(
    '/me/sessions',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'The devices signed in to the account',
        tags: ['auth'],
        security: sessionRequired,
        response: { 200: SessionListSchema, 401: unauthorized },
      },
    },
    async (request): Promise<SessionList> => {
      const current = guard.sessionOf(request);
      const rows = await sessions.list(guard.userOf(request).id, new Date(nowMs()));
      return {
        items: rows.map((row) => ({
          id: row.id,
          deviceName: row.deviceName,
          createdAt: row.createdAt.toISOString(),
          lastSeenAt: row.lastSeenAt.toISOString(),
          current: row.id === current,
        })),
      };
    },
  );

  typed.delete(
    '/me/sessions/:id',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Sign one device out',
        description:
          "An id that is not one of the caller's live sessions (another user's included) is 404 " +
          'SESSION_NOT_FOUND, whether or not it exists.',
        tags: ['auth'],
        security: sessionRequired,
        // Any string: a malformed id is just not found, as an unknown one is.
        params: Type.Object({ id: Type.String() }),
        response: { 204: noContent, 401: unauthorized, 404: problemResponse('SESSION_NOT_FOUND') },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const revoked = await sessions.revoke(
        guard.userOf(request).id,
        id,
        'logout',
        new Date(nowMs()),
      );
      if (!revoked) throw new AppError('SESSION_NOT_FOUND', 'No such session of this account');
      checker.forget([id]);
      return reply.code(204).send(null);
    },
  );
}
