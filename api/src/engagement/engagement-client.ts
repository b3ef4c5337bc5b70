import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { EngagementKind, EngagementTargetType } from '@binge/core/engagement';
import type { HlcStamp } from '@binge/core/protocol/crdt/hlc-stamp';
import type { SessionClient } from '../testing/session-client.ts';

/**
 * A device's view of the engagement routes, signed in as one guest, so that a test reads as what
 * a phone does: `await phone.add('like', 'episode', 7, stamp)`. Raw responses; tests check them.
 */
export interface EngagementClient {
  add(
    kind: EngagementKind | string,
    targetType: EngagementTargetType | string,
    targetId: number | string,
    hlc?: HlcStamp | Record<string, unknown>,
  ): Promise<LightMyRequestResponse>;
  remove(
    kind: EngagementKind | string,
    targetType: EngagementTargetType | string,
    targetId: number | string,
    hlc?: HlcStamp | Record<string, unknown>,
  ): Promise<LightMyRequestResponse>;
  list(kind: EngagementKind | string, query?: string): Promise<LightMyRequestResponse>;
  state(
    kind: EngagementKind | string,
    targetType: EngagementTargetType | string,
    ids: string,
  ): Promise<LightMyRequestResponse>;
  followers(userId: number | string, query?: string): Promise<LightMyRequestResponse>;
  following(userId: number | string, query?: string): Promise<LightMyRequestResponse>;
}

export function engagementClient(
  app: FastifyInstance,
  session: Pick<SessionClient, 'headers'> | null,
): EngagementClient {
  const headers = session?.headers ?? {};
  const withQuery = (path: string, query?: string) => (query ? `${path}?${query}` : path);
  const write =
    (method: 'PUT' | 'DELETE') =>
    (
      kind: string,
      targetType: string,
      targetId: number | string,
      hlc?: HlcStamp | Record<string, unknown>,
    ) =>
      app.inject({
        method,
        url: `/api/v1/me/${kind}/${targetType}/${targetId}`,
        headers,
        ...(hlc === undefined ? {} : { payload: { hlc } }),
      });
  return {
    add: write('PUT'),
    remove: write('DELETE'),
    list: (kind, query) => app.inject({ url: withQuery(`/api/v1/me/${kind}`, query), headers }),
    state: (kind, targetType, ids) =>
      app.inject({
        url: `/api/v1/me/${kind}/${targetType}?ids=${encodeURIComponent(ids)}`,
        headers,
      }),
    followers: (userId, query) =>
      app.inject({ url: withQuery(`/api/v1/users/${userId}/followers`, query), headers }),
    following: (userId, query) =>
      app.inject({ url: withQuery(`/api/v1/users/${userId}/following`, query), headers }),
  };
}
