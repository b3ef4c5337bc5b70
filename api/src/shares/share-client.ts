import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { SessionClient } from '../testing/session-client.ts';

/** A browser (or an unfurler) following a share link: its headers and address. */
export interface Visitor {
  userAgent?: string;
  accept?: string;
  acceptLanguage?: string;
  ip?: string;
  headers?: Record<string, string>;
}

export const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
export const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8';

/**
 * A device's view of share links, signed in as one guest or anonymous (null), so that a test
 * reads as what happens: `await phone.share({ targetType: 'series', targetId })`, then a friend
 * `open(code)`s it. Raw responses; tests check them.
 */
export interface ShareClient {
  share(body: unknown, remoteAddress?: string): Promise<LightMyRequestResponse>;
  stats(code: string): Promise<LightMyRequestResponse>;
  open(
    pathOrCode: string,
    visitor?: Visitor,
    method?: 'GET' | 'HEAD',
  ): Promise<LightMyRequestResponse>;
}

export function shareClient(
  app: FastifyInstance,
  session: Pick<SessionClient, 'headers'> | null,
): ShareClient {
  const headers = session?.headers ?? {};
  return {
    share: (body, remoteAddress = '127.0.0.1') =>
      app.inject({
        method: 'POST',
        url: '/api/v1/shares',
        headers,
        remoteAddress,
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      }),
    stats: (code) => app.inject({ url: `/api/v1/shares/${code}`, headers }),
    open: (pathOrCode, visitor = {}, method = 'GET') =>
      app.inject({
        method,
        url: pathOrCode.startsWith('/') ? pathOrCode : `/s/${pathOrCode}`,
        remoteAddress: visitor.ip ?? '203.0.113.7',
        headers: {
          ...(visitor.userAgent === undefined ? {} : { 'user-agent': visitor.userAgent }),
          accept: visitor.accept ?? BROWSER_ACCEPT,
          ...(visitor.acceptLanguage === undefined
            ? {}
            : { 'accept-language': visitor.acceptLanguage }),
          ...visitor.headers,
        },
      }),
  };
}
