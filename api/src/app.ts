import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Redis } from 'ioredis';
import type { Bus } from '@binge/core/bus';
import type { Config } from '@binge/core/config';
import type { DatabaseHandle } from '@binge/core/db';
import type { EngagementStore } from '@binge/core/engagement';
import { createSqlEngagementStore } from '@binge/core/engagement/store-sql';
import type { Logger } from '@binge/core/log';
import { allowAll, loadKeywordFilter, type TextFilter } from '@binge/core/moderation/text-filter';
import type { NotificationStore } from '@binge/core/notifications';
import { createSqlNotificationStore } from '@binge/core/notifications/store-sql';
import { errorCodes } from '@binge/core/protocol/errors';
import type { RealtimeStore } from '@binge/core/realtime-state';
import { createSqlRealtimeStore } from '@binge/core/realtime-state/store-sql';
import type { Storage } from '@binge/core/storage';
import { authRoutes, type GuestLimit } from './auth/auth-routes.ts';
import { createSessionGuard } from './auth/session-guard.ts';
import { createSessionViewer } from './auth/session-viewer.ts';
import { createUserRepository } from './auth/user-repository.ts';
import { createCatalogRepository } from './catalog/catalog-repository.ts';
import { catalogRoutes } from './catalog/catalog-routes.ts';
import { ProblemSchema } from './catalog/catalog-schemas.ts';
import { createCursorCodec } from './catalog/page-cursor.ts';
import { engagementRoutes } from './engagement/engagement-routes.ts';
import { AppError } from './errors/app-error.ts';
import { errorHandler } from './errors/error-handler.ts';
import { sendProblem } from './errors/problem.ts';
import { healthRoutes } from './http/health-routes.ts';
import { registerMetrics } from './http/metrics.ts';
import { createRouteTable } from './http/method-not-allowed.ts';
import { createMediaCache } from './media/media-cache.ts';
import { mediaRoutes } from './media/media-routes.ts';
import { createMediaUrlSigner } from './media/media-url.ts';
import { freeEpisodesOnly, type Entitlements, type Viewer } from './playback/entitlements.ts';
import { notificationRoutes } from './notifications/notification-routes.ts';
import { playbackRoutes } from './playback/playback-routes.ts';
import { realtimeStateRoutes } from './realtime-state/realtime-routes.ts';

export interface AppDeps {
  config: Config;
  db: DatabaseHandle;
  storage: Storage;
  logger?: Logger;
  /** Who may watch paid episodes; defaults to free episodes only. */
  entitlements?: Entitlements;
  /**
   * Resolves the viewer of a request; defaults to the bearer session token (anonymous without
   * one, a 401 problem for a bad one). Throw an AppError to refuse a request.
   */
  viewerOf?: (request: FastifyRequest) => Viewer | Promise<Viewer>;
  /** The gateway's durable state (progress, DMs, chat, danmu, blocks); defaults to SQL on `db`. */
  realtimeStore?: RealtimeStore;
  /** Likes, favourites, follow-ups and follows; defaults to SQL on `db`. */
  engagementStore?: EngagementStore;
  /** The notification inbox; defaults to SQL on `db`. */
  notificationStore?: NotificationStore;
  /**
   * Where the API announces what other processes act on (notifications pushed through the
   * gateway, bans that close a user's sockets); an in-process bus when not given.
   */
  bus?: Bus;
  /**
   * Redis for the rate-limit and lockout counters shared by every API process (REDIS_URL); the
   * counters are in process memory without it (the embedded platform is one process).
   */
  redis?: Redis;
  /**
   * The keyword filter every nickname, bio, comment and review passes before it is stored (the
   * gateway runs the same one over danmu, chat and DMs); BLOCKED_WORDS_FILE's when not given.
   */
  textFilter?: TextFilter;
}

export interface BuildOptions {
  /** Answers paths outside /api, /media, /docs and /metrics (the embedded launcher serves web). */
  fallback?: (request: FastifyRequest, reply: FastifyReply) => unknown;
  /** Origin of signed media URLs, e.g. a CDN; same-origin `/media/...` paths when empty. */
  mediaBaseUrl?: string;
  /** Clock in unix seconds, for media token tests. */
  nowSeconds?: () => number;
  /**
   * The realtime gateway's WebSocket URL handed out with its tokens: `/ws` on the same origin
   * (the embedded platform and the edge serve it there) unless a deployment puts it elsewhere.
   */
  realtimeUrl?: string;
  /** Guest accounts per IP address and window; 20 an hour unless set. */
  guestLimit?: GuestLimit;
  /**
   * Fastify's trustProxy: behind a reverse proxy (the nginx edge) request.ip is the proxy's
   * address unless it is trusted to set X-Forwarded-For, and every client would share one
   * guest-creation limit.
   */
  trustProxy?: FastifyServerOptions['trustProxy'];
}

/** HLS segments of a few seconds fit; whole source files and long renditions stream instead. */
const MEDIA_CACHE_OBJECT_BYTES = 4 * 1024 * 1024;
const OWN_PREFIXES = ['/api/', '/media/', '/docs', '/metrics'];
const DEFAULT_GUEST_LIMIT: GuestLimit = { max: 20, timeWindowMs: 3600_000 };

/** Builds the HTTP API without listening: server.ts listens, tests inject or listen on port 0. */
export async function build(deps: AppDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const { config, db, storage } = deps;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    // Errors Fastify raises before routing (a URL that does not percent-decode) are problems too.
    frameworkErrors: (error, request, reply) =>
      sendProblem(
        request,
        reply,
        request.url.startsWith('/media/') ? 'MEDIA_PATH_INVALID' : 'BAD_REQUEST',
        error.message,
      ),
  }) as unknown as FastifyInstance;

  const routeTable = createRouteTable();
  app.addHook('onRoute', (route) => routeTable.add(route.method, route.url));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'binge API',
        description:
          'Catalog, playback, signed media, guest accounts and realtime state of the binge ' +
          'short-drama platform. Every error is application/problem+json (RFC 9457) with a ' +
          '`code` from components.schemas.ErrorCode. Sign in with POST /api/v1/auth/guest and ' +
          'send its sessionToken as `Authorization: Bearer <token>`.',
        version: '1.0.0',
      },
      components: {
        schemas: {
          ErrorCode: { type: 'string', enum: [...errorCodes] },
          Problem: JSON.parse(JSON.stringify(ProblemSchema)),
        },
        securitySchemes: {
          session: {
            type: 'http',
            scheme: 'bearer',
            description: 'The sessionToken of POST /api/v1/auth/guest',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0]!;
    const ours = OWN_PREFIXES.some((prefix) => path.startsWith(prefix));
    if (!ours && options.fallback) return options.fallback(request, reply);
    const allowed = routeTable.allowed(path);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(
        request,
        reply,
        'METHOD_NOT_ALLOWED',
        `${request.method} is not allowed here`,
      );
    }
    return sendProblem(request, reply, 'NOT_FOUND', `No resource at ${path}`);
  });

  registerMetrics(app);

  // Per-route rate limits (a route opts in with `config.rateLimit`): counters in Redis when the
  // API runs as several processes, so a client cannot multiply its allowance by spreading its
  // requests over them; in process memory on the embedded platform, which is one process.
  await app.register(rateLimit, {
    global: false,
    ...(deps.redis ? { redis: deps.redis, nameSpace: `${config.redisPrefix}rl:` } : {}),
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', `Too many requests; retry in ${context.after}`),
  });
  const textFilter =
    deps.textFilter ??
    (config.blockedWordsFile === undefined
      ? allowAll
      : loadKeywordFilter(config.blockedWordsFile, config.blockedWordsMode));

  const catalog = createCatalogRepository(db.db);
  const signer = createMediaUrlSigner({
    secret: config.mediaSecret,
    ttlSeconds: config.mediaTokenTtlSeconds,
    ...(options.mediaBaseUrl === undefined ? {} : { baseUrl: options.mediaBaseUrl }),
    ...(options.nowSeconds ? { nowSeconds: options.nowSeconds } : {}),
  });
  const users = createUserRepository(db.db);
  const guard = createSessionGuard({
    viewerOf: deps.viewerOf ?? createSessionViewer(config.authSecret),
    users,
  });

  await app.register(healthRoutes, { prefix: '/api', ping: db.ping });
  await app.register(catalogRoutes, {
    prefix: '/api/v1',
    catalog,
    cursors: createCursorCodec(config.mediaSecret),
    signer,
  });
  await app.register(playbackRoutes, {
    prefix: '/api/v1',
    catalog,
    signer,
    entitlements: deps.entitlements ?? freeEpisodesOnly,
    viewerOf: guard.viewerOf,
  });
  await app.register(authRoutes, {
    prefix: '/api/v1',
    users,
    guard,
    secret: config.authSecret,
    realtimeTokenTtlSeconds: config.realtimeTokenTtlSeconds,
    realtimeUrl: options.realtimeUrl ?? '/ws',
    guestLimit: options.guestLimit ?? DEFAULT_GUEST_LIMIT,
  });
  await app.register(realtimeStateRoutes, {
    prefix: '/api/v1',
    store: deps.realtimeStore ?? createSqlRealtimeStore(db.db),
    guard,
  });
  await app.register(engagementRoutes, {
    prefix: '/api/v1',
    store: deps.engagementStore ?? createSqlEngagementStore(db.db),
    guard,
  });
  await app.register(notificationRoutes, {
    prefix: '/api/v1',
    store: deps.notificationStore ?? createSqlNotificationStore(db.db),
    guard,
  });
  await app.register(mediaRoutes, {
    storage,
    secret: config.mediaSecret,
    ...(config.mediaCacheBytes > 0
      ? {
          cache: createMediaCache({
            maxBytes: config.mediaCacheBytes,
            maxObjectBytes: MEDIA_CACHE_OBJECT_BYTES,
          }),
        }
      : {}),
    ...(options.nowSeconds ? { nowSeconds: options.nowSeconds } : {}),
  });

  return app;
}
