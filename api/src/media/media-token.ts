import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Expiring HMAC tokens for media URLs: `/media/<exp>.<depth>.<sig>/<storage key>`.
 *
 * A token grants a scope (the first `depth` segments of the key, e.g. `episodes/12/41`), not a
 * single file, so the relative segment and variant URLs inside an HLS playlist resolve under the
 * same token. `exp` is rounded up to a bucket so that every viewer of an asset in the same bucket
 * gets byte-identical URLs a CDN can cache once.
 */
export const MEDIA_TOKEN_BUCKET_SECONDS = 300;
const SIG_LENGTH = 22; // 22 base64url chars = 132 bits of HMAC-SHA256
const TOKEN_PATTERN = /^(\d{1,12})\.(\d{1,3})\.([A-Za-z0-9_-]{22})$/;

export type MediaTokenVerdict = 'ok' | 'invalid' | 'expired';

export function mediaTokenExpiry(
  nowSeconds: number,
  ttlSeconds: number,
  bucketSeconds = MEDIA_TOKEN_BUCKET_SECONDS,
): number {
  return Math.ceil((nowSeconds + ttlSeconds) / bucketSeconds) * bucketSeconds;
}

function signature(secret: string, exp: number, depth: number, scope: string): string {
  return createHmac('sha256', secret)
    .update(`${exp}.${depth}.${scope}`)
    .digest('base64url')
    .slice(0, SIG_LENGTH);
}

/** Strips slashes at either end: asset prefixes are stored as `episodes/12/41/` or without. */
export function normalizeScope(scope: string): string {
  return scope.replace(/^\/+|\/+$/g, '');
}

export function signMediaToken(secret: string, scope: string, exp: number): string {
  const normalized = normalizeScope(scope);
  if (normalized === '') throw new Error('A media token scope cannot be empty');
  const depth = normalized.split('/').length;
  return `${exp}.${depth}.${signature(secret, exp, depth, normalized)}`;
}

/**
 * Checks a token against the requested (already validated) storage key. The scope is the key's
 * first `depth` segments, so a token signed for one asset cannot open another one's files. The
 * signature is checked before the expiry: a forged or edited `exp` is invalid, not expired.
 */
export function verifyMediaToken(
  secret: string,
  token: string,
  key: string,
  nowSeconds: number,
): MediaTokenVerdict {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return 'invalid';
  const exp = Number(match[1]);
  const depth = Number(match[2]);
  if (depth < 1) return 'invalid';
  let end = -1;
  for (let i = 0; i < depth; i++) {
    end = key.indexOf('/', end + 1);
    if (end === -1) {
      // The scope may be the whole key (a single-file grant) but never longer than it.
      if (i === depth - 1) end = key.length;
      else return 'invalid';
      break;
    }
  }
  const scope = key.slice(0, end);
  const expected = Buffer.from(signature(secret, exp, depth, scope));
  const given = Buffer.from(match[3]!);
  if (!timingSafeEqual(expected, given)) return 'invalid';
  return exp < nowSeconds ? 'expired' : 'ok';
}
