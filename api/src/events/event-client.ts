import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { SessionClient } from '../testing/session-client.ts';

/**
 * A device sending watch events over HTTP, signed in as one guest or anonymous (null), so a test
 * reads as what the player does: `await phone.send([start, heartbeat])`. Raw responses.
 */
export interface EventClient {
  send(events: unknown[]): Promise<LightMyRequestResponse>;
  /** Any body at all, for the malformed ones. */
  post(body: unknown, contentType?: string): Promise<LightMyRequestResponse>;
}

export function eventClient(
  app: FastifyInstance,
  session: Pick<SessionClient, 'headers'> | null,
): EventClient {
  const headers = session?.headers ?? {};
  const post = (body: unknown, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...headers, 'content-type': contentType },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { post, send: (events) => post({ events }) };
}
