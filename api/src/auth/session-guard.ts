import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { User } from '@binge/core/protocol/catalog';
import type { Viewer } from '../playback/entitlements.ts';
import { accountGone, authRequired } from './session-viewer.ts';
import type { UserRepository } from './user-repository.ts';

/**
 * Route hooks that resolve the caller before anything else runs. They are `onRequest` hooks, ahead
 * of validation, so an anonymous or badly signed request learns "401" before it learns whether
 * its ids and query were right: nothing about a resource leaks to a caller who may not read it.
 */
export interface SessionGuard {
  /** Requires a valid session of an account that still exists; userOf() then returns it. */
  requireUser: onRequestAsyncHookHandler;
  /** Resolves the viewer (anonymous allowed) so a bad token is a 401 up front. */
  resolveViewer: onRequestAsyncHookHandler;
  /** The caller's account, on a route guarded by requireUser. */
  userOf(request: FastifyRequest): User;
  /** The caller, once per request however often it is asked (hooks, handlers, entitlements). */
  viewerOf(request: FastifyRequest): Promise<Viewer>;
}

export function createSessionGuard(options: {
  viewerOf: (request: FastifyRequest) => Viewer | Promise<Viewer>;
  users: UserRepository;
}): SessionGuard {
  const viewers = new WeakMap<FastifyRequest, Promise<Viewer>>();
  const accounts = new WeakMap<FastifyRequest, User>();

  function viewerOf(request: FastifyRequest): Promise<Viewer> {
    let viewer = viewers.get(request);
    if (!viewer) {
      // Wrapped so a synchronous throw becomes a rejection that every later caller sees too.
      viewer = Promise.resolve().then(() => options.viewerOf(request));
      viewers.set(request, viewer);
    }
    return viewer;
  }

  return {
    viewerOf,

    async resolveViewer(request) {
      await viewerOf(request);
    },

    async requireUser(request) {
      const { userId } = await viewerOf(request);
      if (userId === null) throw authRequired();
      // A signed token outlives a deleted account; only the row says the account is still there.
      const user = await options.users.findUser(userId);
      if (user === null) throw accountGone(userId);
      accounts.set(request, user);
    },

    userOf(request) {
      const user = accounts.get(request);
      if (!user) throw new Error('userOf() on a route without the requireUser hook');
      return user;
    },
  };
}
