import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { GuestSession, User } from '@binge/core/protocol/catalog';

/**
 * A client of the account and realtime-state routes, signed in as one guest, so that a test reads
 * as what a device does: `const alice = await signInAsGuest(app); await alice.block(bob.user.id)`.
 * Every call returns the raw response; tests check status and body themselves.
 */
export interface SessionClient {
  user: User;
  sessionToken: string;
  headers: { authorization: string };
  me(): Promise<LightMyRequestResponse>;
  realtimeToken(): Promise<LightMyRequestResponse>;
  progress(query?: string): Promise<LightMyRequestResponse>;
  dms(query?: string): Promise<LightMyRequestResponse>;
  chat(roomId: number | string, query?: string): Promise<LightMyRequestResponse>;
  danmu(episodeId: number | string, query: string): Promise<LightMyRequestResponse>;
  blocks(query?: string): Promise<LightMyRequestResponse>;
  block(userId: number | string): Promise<LightMyRequestResponse>;
  unblock(userId: number | string): Promise<LightMyRequestResponse>;
}

export async function createGuest(
  app: FastifyInstance,
  remoteAddress = '127.0.0.1',
): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/v1/auth/guest', remoteAddress });
}

export async function signInAsGuest(app: FastifyInstance): Promise<SessionClient> {
  const response = await createGuest(app);
  if (response.statusCode !== 201) throw new Error(`guest sign-in: ${response.body}`);
  const session: GuestSession = response.json();
  return clientFor(app, session.user, session.sessionToken);
}

/** A client sending `sessionToken` as its bearer, which may be a forged or expired one. */
export function clientFor(app: FastifyInstance, user: User, sessionToken: string): SessionClient {
  const headers = { authorization: `Bearer ${sessionToken}` };
  const get = (url: string) => app.inject({ method: 'GET', url, headers });
  const withQuery = (path: string, query?: string) => (query ? `${path}?${query}` : path);
  return {
    user,
    sessionToken,
    headers,
    me: () => get('/api/v1/me'),
    realtimeToken: () => app.inject({ method: 'POST', url: '/api/v1/realtime/token', headers }),
    progress: (query) => get(withQuery('/api/v1/me/progress', query)),
    dms: (query) => get(withQuery('/api/v1/me/dms', query)),
    chat: (roomId, query) => get(withQuery(`/api/v1/rooms/${roomId}/chat`, query)),
    danmu: (episodeId, query) => get(`/api/v1/episodes/${episodeId}/danmu?${query}`),
    blocks: (query) => get(withQuery('/api/v1/me/blocks', query)),
    block: (userId) => app.inject({ method: 'PUT', url: `/api/v1/me/blocks/${userId}`, headers }),
    unblock: (userId) =>
      app.inject({ method: 'DELETE', url: `/api/v1/me/blocks/${userId}`, headers }),
  };
}
