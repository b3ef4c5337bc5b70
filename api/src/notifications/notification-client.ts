import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { SessionClient } from '../testing/session-client.ts';

/**
 * A device's view of the notification inbox, signed in as one guest, so that a test reads as what
 * a phone does: `await phone.inbox('limit=5')`, `await phone.markRead(['n12'])`. Raw responses.
 */
export interface NotificationClient {
  inbox(query?: string): Promise<LightMyRequestResponse>;
  /** `undefined`: mark all read (no body); anything else is sent as `{ ids }`. */
  markRead(ids?: unknown): Promise<LightMyRequestResponse>;
  /** POST /me/notifications/read with this raw body. */
  markReadBody(body: unknown): Promise<LightMyRequestResponse>;
}

export function notificationClient(
  app: FastifyInstance,
  session: Pick<SessionClient, 'headers'> | null,
): NotificationClient {
  const headers = session?.headers ?? {};
  const url = '/api/v1/me/notifications';
  const post = (payload?: unknown) =>
    app.inject({
      method: 'POST',
      url: `${url}/read`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    inbox: (query) => app.inject({ url: query ? `${url}?${query}` : url, headers }),
    markRead: (ids) => post(ids === undefined ? undefined : { ids }),
    markReadBody: (body) => post(body),
  };
}
