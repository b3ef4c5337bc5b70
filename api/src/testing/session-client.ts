import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import {
  deriveAccessTokenKey,
  signAccessToken,
  type TokenRole,
} from '@binge/core/auth/access-token';
import type { Config } from '@binge/core/config';
import type { AuthSession, User } from '@binge/core/protocol/catalog';

/**
 * A client of the account and realtime-state routes, signed in as one guest, so that a test reads
 * as what a device does: `const alice = await signInAsGuest(app); await alice.block(bob.user.id)`.
 * Every call returns the raw response; tests check status and body themselves.
 */
export interface SessionClient {
  user: User;
  /** The bearer this client sends: the session's access token, or whatever clientFor was given. */
  accessToken: string;
  /** The sign-in's answer (refresh token, session id); null for clientFor's hand-made clients. */
  session: AuthSession | null;
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
  body?: { deviceName?: unknown },
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/guest',
    remoteAddress,
    ...(body === undefined ? {} : { payload: body }),
  });
}

export async function signInAsGuest(app: FastifyInstance): Promise<SessionClient> {
  const response = await createGuest(app);
  if (response.statusCode !== 201) throw new Error(`guest sign-in: ${response.body}`);
  return clientOf(app, response.json());
}

/** A client of a session some sign-in answered (guest, phone, OAuth, refresh). */
export function clientOf(app: FastifyInstance, session: AuthSession): SessionClient {
  return { ...clientFor(app, session.user, session.accessToken), session };
}

/** A client sending `accessToken` as its bearer, which may be a forged or expired one. */
export function clientFor(app: FastifyInstance, user: User, accessToken: string): SessionClient {
  const headers = { authorization: `Bearer ${accessToken}` };
  const get = (url: string) => app.inject({ method: 'GET', url, headers });
  const withQuery = (path: string, query?: string) => (query ? `${path}?${query}` : path);
  return {
    user,
    accessToken,
    session: null,
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

/**
 * An access token for `client`'s session signed by hand, e.g. one that expired a minute ago or one
 * with a role the account does not have; `secret` other than AUTH_SECRET makes a forged one.
 */
export async function accessTokenFor(
  config: Config,
  client: SessionClient,
  options: { ttlSeconds?: number; nowMs?: number; role?: TokenRole; secret?: string } = {},
): Promise<string> {
  if (client.session === null) throw new Error('accessTokenFor() needs a signed-in client');
  const { token } = await signAccessToken(
    deriveAccessTokenKey(options.secret ?? config.authSecret),
    {
      userId: client.user.id,
      sessionId: client.session.sessionId,
      role: options.role ?? client.user.role,
      ttlSeconds: options.ttlSeconds ?? 60,
      ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
    },
  );
  return token;
}
