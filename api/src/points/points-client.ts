import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { SessionClient } from '../testing/session-client.ts';

/**
 * A device's view of the points, rewards and voucher routes, signed in as one user (or anonymous
 * with null). `owner` picks the `/users/<id>/...` form; without it the `/me/...` one. Raw responses.
 */
export interface PointsClient {
  rewards(): Promise<LightMyRequestResponse>;
  balance(owner?: number | string): Promise<LightMyRequestResponse>;
  ledger(query?: string, owner?: number | string): Promise<LightMyRequestResponse>;
  /** `key` null sends no Idempotency-Key header. */
  redeem(
    body: unknown,
    key: string | null,
    owner?: number | string,
  ): Promise<LightMyRequestResponse>;
  vouchers(query?: string): Promise<LightMyRequestResponse>;
  voucher(id: string): Promise<LightMyRequestResponse>;
}

export function pointsClient(
  app: FastifyInstance,
  session: Pick<SessionClient, 'headers'> | null,
): PointsClient {
  const headers = session?.headers ?? {};
  const base = (owner?: number | string) =>
    owner === undefined ? '/api/v1/me' : `/api/v1/users/${owner}`;
  const get = (url: string) => app.inject({ method: 'GET', url, headers });
  return {
    rewards: () => get('/api/v1/rewards'),
    balance: (owner) => get(`${base(owner)}/points`),
    ledger: (query, owner) =>
      get(`${base(owner)}/points/ledger${query === undefined ? '' : `?${query}`}`),
    redeem: (body, key, owner) =>
      app.inject({
        method: 'POST',
        url: `${base(owner)}/points/redemptions`,
        headers: { ...headers, ...(key === null ? {} : { 'idempotency-key': key }) },
        ...(body === undefined ? {} : { payload: body as object }),
      }),
    vouchers: (query) => get(`/api/v1/me/vouchers${query === undefined ? '' : `?${query}`}`),
    voucher: (id) => get(`/api/v1/me/vouchers/${id}`),
  };
}
