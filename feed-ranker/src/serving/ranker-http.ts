import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { FeedCursorError, type FeedService } from '@binge/core/feed/feed-service';
import {
  checkFeedPageRequest,
  FEED_PAGE_PATH,
  RANKER_HEALTH_PATH,
  rankerKey,
} from '@binge/core/feed/feed-wire';
import type { Logger } from '@binge/core/log';

/**
 * The feed ranker's HTTP API for a split deployment (core/src/feed/feed-wire.ts is the contract,
 * core/src/feed/feed-client.ts the client the API and the gateway use with RANKER_URL). Built
 * here, started by server.ts; tests listen on port 0.
 */
export interface RankerHttpOptions {
  feed: FeedService;
  authSecret: string;
  logger: Logger;
  /** The serving model's version for /health; null while the heuristic serves. */
  modelVersion?: () => string | null;
}

export interface RankerHttpServer {
  /** Listens on host:port (0 = any free port); resolves with the port. */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** A page request is a few hundred bytes; anything much larger is not one. */
const MAX_BODY_BYTES = 8 * 1024;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES)
    throw new HttpProblem(
      413,
      'BODY_TOO_LARGE',
      `a page request is at most ${MAX_BODY_BYTES} bytes`,
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpProblem(
        413,
        'BODY_TOO_LARGE',
        `a page request is at most ${MAX_BODY_BYTES} bytes`,
      );
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createRankerHttp(options: RankerHttpOptions): RankerHttpServer {
  const { feed, logger } = options;
  const expectedKey = Buffer.from(`Bearer ${rankerKey(options.authSecret)}`);

  function authorised(request: IncomingMessage): boolean {
    const given = Buffer.from(request.headers.authorization ?? '');
    return given.length === expectedKey.length && timingSafeEqual(given, expectedKey);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path === RANKER_HEALTH_PATH && request.method === 'GET') {
      sendJson(response, 200, { status: 'ok', modelVersion: options.modelVersion?.() ?? null });
      return;
    }
    if (path !== FEED_PAGE_PATH) throw new HttpProblem(404, 'NOT_FOUND', `no resource at ${path}`);
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here`);
    }
    if (!authorised(request))
      throw new HttpProblem(401, 'RANKER_KEY_INVALID', 'the ranker key is missing or wrong');
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch (error) {
      if (error instanceof HttpProblem) throw error;
      throw new HttpProblem(400, 'VALIDATION_FAILED', 'the body is not JSON');
    }
    const checked = checkFeedPageRequest(body);
    if (!checked.ok) throw new HttpProblem(400, 'VALIDATION_FAILED', checked.message);
    const page = await feed.page({
      viewerId: checked.request.viewerId,
      ...(checked.request.cursor === undefined ? {} : { cursor: checked.request.cursor }),
      limit: checked.request.limit,
      now: new Date(checked.request.now),
      surface: checked.request.surface,
    });
    sendJson(response, 200, page);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof FeedCursorError) {
        sendJson(response, 400, { code: error.code, message: error.message });
        return;
      }
      if (error instanceof HttpProblem) {
        sendJson(response, error.status, { code: error.code, message: error.message });
        return;
      }
      logger.error({ err: error }, 'feed page failed');
      sendJson(response, 500, { code: 'INTERNAL', message: 'internal error; retry later' });
    });
  });
  // The clients (API and gateway processes) keep their connections open between pages.
  server.keepAliveTimeout = 65_000;

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
    },
  };
}
