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
import { createSqlCommentStore } from '@binge/core/discussion/comment-store-sql';
import { createSqlReviewStore } from '@binge/core/discussion/review-store-sql';
import { createSqlEngagementStore } from '@binge/core/engagement/store-sql';
import { feedFromConfig } from '@binge/core/feed/configured-feed';
import type { FeedService } from '@binge/core/feed/feed-service';
import type { Logger } from '@binge/core/log';
import { textFilterFromConfig } from '@binge/core/moderation/configured-filter';
import { createSqlModerationStore } from '@binge/core/moderation/store-sql';
import type { TextFilter } from '@binge/core/moderation/text-filter';
import type { NotificationStore } from '@binge/core/notifications';
import { createSqlNotificationStore } from '@binge/core/notifications/store-sql';
import { createSqlPointsLedger } from '@binge/core/points/ledger-sql';
import { createSqlVoucherStore } from '@binge/core/points/vouchers-sql';
import { createSqlProfileStore } from '@binge/core/progression/profile-store-sql';
import { createProgression } from '@binge/core/progression/progression';
import { createSqlProgressionStore } from '@binge/core/progression/store-sql';
import { errorCodes } from '@binge/core/protocol/errors';
import type { RealtimeStore } from '@binge/core/realtime-state';
import { createSqlRealtimeStore } from '@binge/core/realtime-state/store-sql';
import { createRankingRefresher, type RankingRefresher } from '@binge/core/rankings/refresher';
import { createSqlRankingStore } from '@binge/core/rankings/store-sql';
import { createSqlShareStore } from '@binge/core/shares/store-sql';
import type { Storage } from '@binge/core/storage';
import type { WatchIngester } from '@binge/core/watch-events/ingest';
import { createWatchEventPipeline } from '@binge/core/watch-events/pipeline';
import type { GuestLimit } from './auth/auth-routes.ts';
import { createSignIn, type SignInOptions } from './auth/sign-in-registration.ts';
import type { SmsSender } from '@binge/core/accounts/sms-sender';
import { createCatalogRepository } from './catalog/catalog-repository.ts';
import { catalogRoutes } from './catalog/catalog-routes.ts';
import { ProblemSchema } from './catalog/catalog-schemas.ts';
import { createCursorCodec } from './catalog/page-cursor.ts';
import { commentRoutes, type CommentLimit } from './discussion/comment-routes.ts';
import { createDiscussionCursorCodec } from './discussion/discussion-cursor.ts';
import { reviewRoutes } from './discussion/review-routes.ts';
import { engagementRoutes } from './engagement/engagement-routes.ts';
import { eventRoutes, type EventLimit } from './events/event-routes.ts';
import { feedRoutes } from './feed/feed-routes.ts';
import { AppError } from './errors/app-error.ts';
import { errorHandler } from './errors/error-handler.ts';
import { sendProblem } from './errors/problem.ts';
import { healthRoutes } from './http/health-routes.ts';
import { registerMetrics } from './http/metrics.ts';
import { createRouteTable } from './http/method-not-allowed.ts';
import { createMediaCache } from './media/media-cache.ts';
import { mediaRoutes } from './media/media-routes.ts';
import { adminRoutes } from './moderation/admin-routes.ts';
import { reportRoutes, type ReportLimit } from './moderation/report-routes.ts';
import { createMediaUrlSigner } from './media/media-url.ts';
import { freeEpisodesOnly, type Entitlements, type Viewer } from './playback/entitlements.ts';
import { notificationRoutes } from './notifications/notification-routes.ts';
import { pointsRoutes } from './points/points-routes.ts';
import { profileRoutes } from './profile/profile-routes.ts';
import { progressionRoutes } from './profile/progression-routes.ts';
import { playbackRoutes } from './playback/playback-routes.ts';
import { realtimeStateRoutes } from './realtime-state/realtime-routes.ts';
import { rankingsRoutes } from './rankings/rankings-routes.ts';
import { createMemoryRepeatOpens } from './shares/repeat-opens-memory.ts';
import { createRedisRepeatOpens } from './shares/repeat-opens-redis.ts';
import { shareLinkRoutes } from './shares/share-link-routes.ts';
import { shareRoutes, type ShareLimit } from './shares/share-routes.ts';

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
  /**
   * How sign-in codes reach phones; the SMS_PROVIDER adapter (createSmsSender) when not given.
   * Tests pass core's recording adapter to read the codes.
   */
  smsSender?: SmsSender;
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
   * gateway runs the same one over danmu, chat and DMs); the configured one (textFilterFromConfig:
   * the shipped lexicon unless BLOCKED_WORDS_FILE says otherwise) when not given.
   */
  textFilter?: TextFilter;
  /**
   * Refreshes the ranking boards; by default every RANKINGS_REFRESH_SECONDS from app start to
   * app close. Tests pass one with interval 0 and call refresh() themselves.
   */
  rankingRefresher?: RankingRefresher;
  /**
   * The feed of GET /feed: the embedded platform's in-process ranker; without it the ranker's
   * HTTP client (RANKER_URL) or the hot order (core/src/feed/configured-feed.ts).
   */
  feed?: FeedService;
  /**
   * Takes the watch events of POST /events: the composition root's (one pipeline shared with the
   * gateway and the event consumer); without it one on REDIS_URL's stream (or, without Redis, an
   * in-memory one only this app writes to), closed with the app.
   */
  watchIngester?: WatchIngester;
}

export interface BuildOptions {
  /** Answers paths outside /api, /media, /docs, /metrics and /s (the embedded launcher serves web). */
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
  /** Sign-in limits and caches other than the guest limit (auth/sign-in-registration.ts). */
  signIn?: SignInOptions;
  /** Share links per account (or per IP address without a session) and window; 30 an hour unless set. */
  shareLimit?: ShareLimit;
  /** Comments (and replies) per account and window; 10 a minute unless set. */
  commentLimit?: CommentLimit;
  /** Reports per account and window; 20 an hour unless set. */
  reportLimit?: ReportLimit;
  /** POST /events requests per account and window; 120 a minute unless set. */
  eventLimit?: EventLimit;
  /**
   * Fastify's trustProxy: behind a reverse proxy (the nginx edge) request.ip is the proxy's
   * address unless it is trusted to set X-Forwarded-For, and every client would share one
   * guest-creation limit.
   */
  trustProxy?: FastifyServerOptions['trustProxy'];
}

/** HLS segments of a few seconds fit; whole source files and long renditions stream instead. */
const MEDIA_CACHE_OBJECT_BYTES = 4 * 1024 * 1024;
// `/s/` holds the share links (shares/share-link-routes.ts): the API's, though outside /api.
const OWN_PREFIXES = ['/api/', '/media/', '/docs', '/metrics', '/s/'];
const DEFAULT_GUEST_LIMIT: GuestLimit = { max: 20, timeWindowMs: 3600_000 };
const DEFAULT_SHARE_LIMIT: ShareLimit = { max: 30, timeWindowMs: 3600_000 };
const DEFAULT_COMMENT_LIMIT: CommentLimit = { max: 10, timeWindowMs: 60_000 };
const DEFAULT_REPORT_LIMIT: ReportLimit = { max: 20, timeWindowMs: 3600_000 };
const DEFAULT_EVENT_LIMIT: EventLimit = { max: 120, timeWindowMs: 60_000 };

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
          '`code` from components.schemas.ErrorCode. Sign in (POST /api/v1/auth/guest, ' +
          '/auth/sms/verify or /auth/oauth/{provider}/start) and send the accessToken as ' +
          '`Authorization: Bearer <token>`; renew it with POST /api/v1/auth/refresh.',
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
            bearerFormat: 'JWT',
            description: 'The accessToken of a sign-in or of POST /api/v1/auth/refresh',
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
  const textFilter = deps.textFilter ?? textFilterFromConfig(config);

  const catalog = createCatalogRepository(db.db);
  const signer = createMediaUrlSigner({
    secret: config.mediaSecret,
    ttlSeconds: config.mediaTokenTtlSeconds,
    ...(options.mediaBaseUrl === undefined ? {} : { baseUrl: options.mediaBaseUrl }),
    ...(options.nowSeconds ? { nowSeconds: options.nowSeconds } : {}),
  });
  const signIn = createSignIn({
    config,
    db: db.db,
    ...(deps.redis ? { redis: deps.redis } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.smsSender ? { smsSender: deps.smsSender } : {}),
    ...(deps.viewerOf ? { viewerOf: deps.viewerOf } : {}),
    ...(options.signIn ? { options: options.signIn } : {}),
  });
  const { guard } = signIn;
  // Experience, achievements, check-ins and tasks; new achievements are pushed on the bus.
  const progression = createProgression({
    store: createSqlProgressionStore(db.db),
    ...(deps.bus ? { bus: deps.bus } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  const profiles = createSqlProfileStore(db.db);

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
  await signIn.register(app, {
    prefix: '/api/v1',
    realtimeUrl: options.realtimeUrl ?? '/ws',
    guestLimit: options.guestLimit ?? DEFAULT_GUEST_LIMIT,
  });
  const realtimeStore = deps.realtimeStore ?? createSqlRealtimeStore(db.db, { progression });
  await app.register(realtimeStateRoutes, { prefix: '/api/v1', store: realtimeStore, guard });
  let watchIngester = deps.watchIngester;
  if (watchIngester === undefined) {
    const pipeline = createWatchEventPipeline(config, {
      db: db.db,
      redis: deps.redis,
      ...(deps.logger ? { logger: deps.logger.child({ component: 'watch-events' }) } : {}),
    });
    app.addHook('onClose', () => pipeline.close());
    watchIngester = pipeline.ingester;
  }
  await app.register(eventRoutes, {
    prefix: '/api/v1',
    ingester: watchIngester,
    guard,
    limit: options.eventLimit ?? DEFAULT_EVENT_LIMIT,
  });
  await app.register(feedRoutes, {
    prefix: '/api/v1',
    feed:
      deps.feed ??
      feedFromConfig({
        config,
        store: realtimeStore,
        ...(deps.logger ? { logger: deps.logger.child({ component: 'feed' }) } : {}),
      }),
    guard,
  });
  await app.register(engagementRoutes, {
    prefix: '/api/v1',
    store: deps.engagementStore ?? createSqlEngagementStore(db.db),
    guard,
    progression,
  });
  await app.register(notificationRoutes, {
    prefix: '/api/v1',
    store: deps.notificationStore ?? createSqlNotificationStore(db.db),
    guard,
  });
  const discussionCursors = createDiscussionCursorCodec(config.mediaSecret);
  await app.register(commentRoutes, {
    prefix: '/api/v1',
    store: createSqlCommentStore(db.db),
    guard,
    textFilter,
    cursors: discussionCursors,
    limit: options.commentLimit ?? DEFAULT_COMMENT_LIMIT,
    progression,
  });
  await app.register(reviewRoutes, {
    prefix: '/api/v1',
    store: createSqlReviewStore(db.db),
    guard,
    textFilter,
    cursors: discussionCursors,
  });
  const rankingStore = createSqlRankingStore(db.db);
  const rankingRefresher =
    deps.rankingRefresher ??
    createRankingRefresher({
      store: rankingStore,
      intervalMs: config.rankingsRefreshSeconds * 1000,
      ...(deps.logger ? { logger: deps.logger.child({ component: 'rankings' }) } : {}),
    });
  app.addHook('onReady', async () => rankingRefresher.start());
  app.addHook('onClose', async () => rankingRefresher.stop());
  await app.register(rankingsRoutes, {
    prefix: '/api/v1',
    store: rankingStore,
    refresher: rankingRefresher,
    catalog,
    signer,
  });
  const shareStore = createSqlShareStore(db.db);
  await app.register(shareRoutes, {
    prefix: '/api/v1',
    store: shareStore,
    guard,
    publicUrl: config.publicUrl,
    limit: options.shareLimit ?? DEFAULT_SHARE_LIMIT,
    progression,
  });
  await app.register(shareLinkRoutes, {
    store: shareStore,
    catalog,
    signer,
    publicUrl: config.publicUrl,
    repeatOpens: deps.redis
      ? createRedisRepeatOpens(deps.redis, { prefix: `${config.redisPrefix}share-open:` })
      : createMemoryRepeatOpens(),
  });
  await app.register(profileRoutes, { prefix: '/api/v1', profiles, storage, guard, textFilter });
  await app.register(progressionRoutes, { prefix: '/api/v1', progression, profiles, guard });
  await app.register(pointsRoutes, {
    prefix: '/api/v1',
    ledger: createSqlPointsLedger(db.db),
    vouchers: createSqlVoucherStore(db.db),
    profiles,
    guard,
  });
  const moderation = createSqlModerationStore(db.db);
  await app.register(reportRoutes, {
    prefix: '/api/v1',
    store: moderation,
    guard,
    limit: options.reportLimit ?? DEFAULT_REPORT_LIMIT,
  });
  await app.register(adminRoutes, {
    prefix: '/api/v1',
    store: moderation,
    guard,
    ...(deps.bus ? { bus: deps.bus } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
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
