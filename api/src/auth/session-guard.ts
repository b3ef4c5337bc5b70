import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { User } from '@binge/core/protocol/catalog';
import { AppError } from '../errors/app-error.ts';
import type { Viewer } from '../playback/entitlements.ts';
import { accountGone, authRequired, type SessionViewer } from './session-viewer.ts';
import type { UserRepository } from './user-repository.ts';

/**
 * Route hooks that resolve the caller before anything else runs. They are `onRequest` hooks, ahead
 * of validation, so an anonymous or badly signed request learns "401" before it learns whether
 * its ids and query were right: nothing about a resource leaks to a caller who may not read it.
 */
export interface SessionGuard {
  /**
   * Requires a valid session of an account that still exists and is not banned (403
   * ACCOUNT_BANNED); userOf() then returns it.
   */
  requireUser: onRequestAsyncHookHandler;
  /** requireUser, and the account must have the `admin` role (403 ADMIN_REQUIRED). */
  requireAdmin: onRequestAsyncHookHandler;
  /** Resolves the viewer (anonymous allowed) so a bad token is a 401 up front. */
  resolveViewer: onRequestAsyncHookHandler;
  /** The caller's account, on a route guarded by requireUser. */
  userOf(request: FastifyRequest): User;
  /**
   * The session the caller's access token belongs to, on a route guarded by requireUser; null
   * only with a custom `viewerOf` that knows no sessions (tests).
   */
  sessionOf(request: FastifyRequest): string | null;
  /**
   * The caller, once per request however often it is asked (hooks, handlers, entitlements), with
   * the session of its token when the viewer function knows sessions (the default one does).
   */
  viewerOf(request: FastifyRequest): Promise<Viewer & Partial<SessionViewer>>;
}

export function createSessionGuard(options: {
  viewerOf: (request: FastifyRequest) => Viewer | Promise<Viewer>;
  users: UserRepository;
}): SessionGuard {
  const viewers = new WeakMap<FastifyRequest, Promise<Viewer & Partial<SessionViewer>>>();
  const accounts = new WeakMap<FastifyRequest, User>();
  const sessions = new WeakMap<FastifyRequest, string | null>();

  function viewerOf(request: FastifyRequest): Promise<Viewer & Partial<SessionViewer>> {
    let viewer = viewers.get(request);
    if (!viewer) {
      // Wrapped so a synchronous throw becomes a rejection that every later caller sees too.
      viewer = Promise.resolve().then(() => options.viewerOf(request));
      viewers.set(request, viewer);
    }
    return viewer;
  }

  async function requireUser(request: FastifyRequest): Promise<void> {
    const { userId, sessionId } = await viewerOf(request);
    if (userId === null) throw authRequired();
    // A signed token outlives a deleted or banned account; only the row says which it is.
    const account = await options.users.findAccount(userId);
    if (account === null) throw accountGone(userId);
    if (account.bannedAt !== null) {
      const reason = account.banReason ? `: ${account.banReason}` : '';
      throw new AppError('ACCOUNT_BANNED', `The account ${userId} is banned${reason}`);
    }
    accounts.set(request, account.user);
    sessions.set(request, sessionId ?? null);
  }

  return {
    viewerOf,

    async resolveViewer(request) {
      await viewerOf(request);
    },

    requireUser,

    async requireAdmin(request) {
      await requireUser(request);
      if (accounts.get(request)?.role !== 'admin')
        throw new AppError('ADMIN_REQUIRED', 'This route is for moderators (the admin role)');
    },

    userOf(request) {
      const user = accounts.get(request);
      if (!user) throw new Error('userOf() on a route without the requireUser hook');
      return user;
    },

    sessionOf(request) {
      const sessionId = sessions.get(request);
      if (sessionId === undefined)
        throw new Error('sessionOf() on a route without the requireUser hook');
      return sessionId;
    },
  };
}
