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
   * HMAC secret of auth tokens (guest sessions, realtime tokens), shared by api and gateway; when
   * unset it is generated once and kept in dataDir.
   */
  authSecret: string;
  /** Lifetime of a realtime gateway token, seconds (the client refreshes before it lapses). */
  realtimeTokenTtlSeconds: number;
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
  /** Word list of the realtime keyword filter (one per line); unset means no list. */
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
  };
}
