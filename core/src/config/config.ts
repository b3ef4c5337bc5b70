import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The one typed configuration of the platform. Every setting comes from the environment and has a
 * default that suits the embedded path (one process, PGlite, in-process bus and queue, local disk).
 * A wrong value stops start-up with a ConfigError that names the variable.
 */
export interface Config {
  /** Public port serving web, /api, /media (and /ws once the gateway lands). */
  port: number;
  host: string;
  /** Base URL printed at start and used in absolute links; derived from host/port when unset. */
  publicUrl: string;
  dataDir: string;
  /** PostgreSQL URL; unset means PGlite in `${dataDir}/pglite`. */
  databaseUrl: string | undefined;
  /** Redis URL; unset means the in-process bus and the database-backed in-process queue. */
  redisUrl: string | undefined;
  meiliUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** HMAC secret for media URL tokens; when unset it is generated once and kept in dataDir. */
  mediaSecret: string;
  /**
   * Secret the access-token key and the SMS-code hash key are derived from, shared by api and
   * gateway; when unset it is generated once and kept in dataDir.
   */
  authSecret: string;
  /** Lifetime of a realtime gateway token, seconds (the client refreshes before it lapses). */
  realtimeTokenTtlSeconds: number;
  /** Lifetime of an access token (the API's bearer JWT), seconds. */
  accessTokenTtlSeconds: number;
  /** Lifetime of a refresh token, seconds; each refresh slides it (and its session) forward. */
  refreshTokenTtlSeconds: number;
  /** Which SmsSender delivers sign-in codes (core/src/accounts/sms-sender.ts). */
  smsProvider: 'log';
  /** OAuth sign-in providers with a client id and secret set; the others are off. */
  oauth: OAuthSettings;
  /**
   * Port of the uWebSockets.js gateway's own listener. Embedded, 0 (the default) picks a free
   * loopback port and the public port forwards `/ws` to it; a scaled gateway sets it.
   */
  realtimePort: number;
  /** Interface of the gateway's own listener: loopback when embedded, 0.0.0.0 when scaled. */
  realtimeHost: string;
  /**
   * Prefix of the realtime gateway's Redis keys and pub/sub channels, so several deployments (or a
   * benchmark beside a live one) can share one Redis without sharing buckets or streams.
   */
  redisPrefix: string;
  /**
   * Lexicon of the keyword filter (core/src/moderation/lexicon.ts syntax) that danmu, chat, DMs,
   * names, bios, comments and reviews pass; unset means the shipped lexicon, `none` no filter.
   */
  blockedWordsFile: string | undefined;
  /** What the keyword filter does with a listed word: mask it with `*`, or reject the text. */
  blockedWordsMode: 'mask' | 'reject';
  /** Lifetime of a signed media URL, seconds. */
  mediaTokenTtlSeconds: number;
  /** Which episodes the pipeline encrypts with AES-128: none, paid only, or all. */
  mediaEncryption: 'none' | 'paid' | 'all';
  /** Text burned into every rendition as a watermark; empty means none. */
  watermarkText: string;
  hlsSegmentSeconds: number;
  /** Memory for hot media objects (segments, playlists, posters) in the media server; 0 disables. */
  mediaCacheBytes: number;
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  /** Generate the demo catalog on first start. */
  demoSeed: boolean;
  /** full: the whole demo catalog; tiny: two short episodes per series at low resolution (tests). */
  demoScale: 'full' | 'tiny';
  /** Run the media worker in this process. */
  mediaWorker: boolean;
  transcodeConcurrency: number;
  /** Seconds to wait for in-flight requests and jobs on SIGINT/SIGTERM before exiting anyway. */
  shutdownGraceSeconds: number;
  /**
   * Seconds between refreshes of the ranking boards in this process (one process per interval
   * does the work however many run); 0 leaves the refresh to other processes.
   */
  rankingsRefreshSeconds: number;
  /**
   * Base URL of a separate feed-ranker process (feed-ranker/src/server.ts) for a standalone api or
   * gateway; unset, they serve the hot order. The embedded platform runs the ranker in process.
   */
  rankerUrl: string | undefined;
  /**
   * TF.js backend of the ranker: auto takes tfjs-node when it is installed, else WASM, else the
   * pure-JS CPU backend.
   */
  rankerBackend: 'auto' | 'wasm' | 'cpu';
  /** Share of each feed page, in percent, given to exploration slots (Thompson sampling). */
  rankerExplorePercent: number;
  /** Minutes between training runs of the ranker in this process; 0 turns scheduled training off. */
  rankerTrainMinutes: number;
  /** Watch events one user may send per minute (a fixed one-minute window), over all devices. */
  watchEventsPerMinute: number;
  /** Days of watch events and feed impressions kept; older day partitions are dropped. */
  eventRetentionDays: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol))
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  return raw;
}

/**
 * Reads a secret from the environment variable `name`, else from (or into) `${dataDir}/<file>`, so
 * the embedded start needs none configured and keeps its tokens valid across restarts. Processes
 * of a scaled deployment share it through the variable.
 */
function secret(env: Env, name: string, dataDir: string, fileName: string): string {
  const raw = read(env, name);
  if (raw !== undefined) {
    if (raw.length < 32) throw new ConfigError(name, 'must be at least 32 characters');
    return raw;
  }
  const file = path.join(dataDir, fileName);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}

/** One OAuth sign-in provider's client and endpoints (core/src/accounts/oauth-provider.ts). */
export interface OAuthProviderConfig {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  userInfoUrl: string;
  redirectUri: string;
  scope: string;
  pkce: boolean;
}

export interface OAuthSettings {
  wechat: OAuthProviderConfig | undefined;
  weibo: OAuthProviderConfig | undefined;
}

type OAuthDefaults = Pick<
  OAuthProviderConfig,
  'authorizeUrl' | 'tokenUrl' | 'userInfoUrl' | 'scope' | 'pkce'
>;

/** WeChat website sign-in (open platform): no PKCE documented, so none by default. */
const wechatDefaults: OAuthDefaults = {
  authorizeUrl: 'https://open.weixin.qq.com/connect/qrconnect',
  tokenUrl: 'https://api.weixin.qq.com/sns/oauth2/access_token',
  userInfoUrl: 'https://api.weixin.qq.com/sns/userinfo',
  scope: 'snsapi_login',
  pkce: false,
};

/** Weibo OAuth 2: no PKCE documented either. */
const weiboDefaults: OAuthDefaults = {
  authorizeUrl: 'https://api.weibo.com/oauth2/authorize',
  tokenUrl: 'https://api.weibo.com/oauth2/access_token',
  userInfoUrl: 'https://api.weibo.com/2/users/show.json',
  scope: '',
  pkce: false,
};

/**
 * OAUTH_<NAME>_CLIENT_ID and _CLIENT_SECRET switch a provider on (one without the other is a
 * mistake worth stopping for); _AUTHORIZE_URL, _TOKEN_URL, _USERINFO_URL, _REDIRECT_URI, _SCOPE
 * and _PKCE override the defaults, e.g. to point at a test server.
 */
function oauthProvider(
  env: Env,
  name: 'WECHAT' | 'WEIBO',
  defaults: OAuthDefaults,
  publicUrl: string,
): OAuthProviderConfig | undefined {
  const variable = (suffix: string) => `OAUTH_${name}_${suffix}`;
  const clientId = read(env, variable('CLIENT_ID'));
  const clientSecret = read(env, variable('CLIENT_SECRET'));
  if (clientId === undefined && clientSecret === undefined) return undefined;
  if (clientId === undefined) throw new ConfigError(variable('CLIENT_ID'), 'must be set too');
  if (clientSecret === undefined)
    throw new ConfigError(variable('CLIENT_SECRET'), 'must be set too');
  const web = ['http:', 'https:'];
  return {
    clientId,
    clientSecret,
    authorizeUrl: url(env, variable('AUTHORIZE_URL'), web) ?? defaults.authorizeUrl,
    tokenUrl: url(env, variable('TOKEN_URL'), web) ?? defaults.tokenUrl,
    userInfoUrl: url(env, variable('USERINFO_URL'), web) ?? defaults.userInfoUrl,
    redirectUri:
      url(env, variable('REDIRECT_URI'), web) ??
      `${publicUrl.replace(/\/$/, '')}/api/v1/auth/oauth/${name.toLowerCase()}/callback`,
    scope: read(env, variable('SCOPE')) ?? defaults.scope,
    pkce: boolean(env, variable('PKCE'), defaults.pkce),
  };
}

function redisPrefix(env: Env): string {
  const raw = read(env, 'REDIS_PREFIX') ?? 'binge:';
  // Braces would break the hash tags that keep a channel's keys in one cluster slot.
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(raw)) {
    throw new ConfigError('REDIS_PREFIX', 'must be 1-64 letters, digits, ".", "_", "-" or ":"');
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const host = read(env, 'HOST') ?? '0.0.0.0';
  const dataDir = path.resolve(read(env, 'DATA_DIR') ?? 'data');
  const publicUrl =
    url(env, 'PUBLIC_URL', ['http:', 'https:']) ??
    `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`;
  return {
    port,
    host,
    publicUrl: publicUrl.replace(/\/$/, ''),
    dataDir,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    meiliUrl: url(env, 'MEILI_URL', ['http:', 'https:']),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ] as const),
    mediaSecret: secret(env, 'MEDIA_SECRET', dataDir, 'media-secret'),
    authSecret: secret(env, 'AUTH_SECRET', dataDir, 'auth-secret'),
    realtimeTokenTtlSeconds: integer(env, 'REALTIME_TOKEN_TTL', 15 * 60, 30, 24 * 3600),
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL', 15 * 60, 60, 24 * 3600),
    refreshTokenTtlSeconds: integer(
      env,
      'REFRESH_TOKEN_TTL',
      30 * 24 * 3600,
      24 * 3600,
      365 * 24 * 3600,
    ),
    smsProvider: oneOf(env, 'SMS_PROVIDER', 'log', ['log'] as const),
    oauth: {
      wechat: oauthProvider(env, 'WECHAT', wechatDefaults, publicUrl),
      weibo: oauthProvider(env, 'WEIBO', weiboDefaults, publicUrl),
    },
    realtimePort: integer(env, 'REALTIME_PORT', 0, 0, 65535),
    realtimeHost: read(env, 'REALTIME_HOST') ?? '127.0.0.1',
    redisPrefix: redisPrefix(env),
    blockedWordsFile: read(env, 'BLOCKED_WORDS_FILE'),
    blockedWordsMode: oneOf(env, 'BLOCKED_WORDS_MODE', 'mask', ['mask', 'reject'] as const),
    mediaTokenTtlSeconds: integer(env, 'MEDIA_TOKEN_TTL', 6 * 3600, 30, 7 * 24 * 3600),
    mediaEncryption: oneOf(env, 'MEDIA_ENCRYPTION', 'all', ['none', 'paid', 'all'] as const),
    watermarkText: read(env, 'WATERMARK_TEXT') ?? '',
    hlsSegmentSeconds: integer(env, 'HLS_SEGMENT_SECONDS', 2, 1, 10),
    mediaCacheBytes: integer(env, 'MEDIA_CACHE_MB', 256, 0, 65536) * 1024 * 1024,
    ffmpegPath: read(env, 'FFMPEG_PATH'),
    ffprobePath: read(env, 'FFPROBE_PATH'),
    demoSeed: boolean(env, 'DEMO_SEED', true),
    demoScale: oneOf(env, 'DEMO_SCALE', 'full', ['full', 'tiny'] as const),
    mediaWorker: boolean(env, 'MEDIA_WORKER', true),
    transcodeConcurrency: integer(env, 'TRANSCODE_CONCURRENCY', 1, 1, 16),
    shutdownGraceSeconds: integer(env, 'SHUTDOWN_GRACE_SECONDS', 10, 0, 600),
    rankingsRefreshSeconds: integer(env, 'RANKINGS_REFRESH_SECONDS', 30, 0, 3600),
    rankerUrl: url(env, 'RANKER_URL', ['http:', 'https:']),
    rankerBackend: oneOf(env, 'RANKER_BACKEND', 'auto', ['auto', 'wasm', 'cpu'] as const),
    rankerExplorePercent: integer(env, 'RANKER_EXPLORE_PERCENT', 10, 0, 50),
    rankerTrainMinutes: integer(env, 'RANKER_TRAIN_MINUTES', 60, 0, 7 * 24 * 60),
    watchEventsPerMinute: integer(env, 'WATCH_EVENTS_PER_MINUTE', 600, 10, 100_000),
    eventRetentionDays: integer(env, 'EVENT_RETENTION_DAYS', 30, 1, 3650),
  };
}
