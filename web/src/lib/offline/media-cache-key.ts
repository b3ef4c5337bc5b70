/**
 * Cache keys for media the service worker stores. The media server signs URLs as
 * `/media/<exp>.<depth>.<sig>/<storage key>` (api/src/media/media-path.ts): the token is the first
 * path segment, not a query parameter, and it changes every 5-minute expiry bucket. A key keeps
 * the origin and the storage key and drops that one segment, so a segment cached under an old
 * token answers the same file asked for with a fresh one. The media server ignores the query, so
 * the key drops it too.
 *
 * The AES-128 key endpoint (`/api/v1/episodes/<id>/keys/<assetId>`, the EXT-X-KEY URI) carries no
 * token and is keyed by its path: an encrypted episode cannot play offline without it.
 */
const mediaToken = /^\d+\.\d+\.[A-Za-z0-9_-]+$/;
const contentKeyPath = /^\/api\/v1\/episodes\/\d+\/keys\/\d+$/;

export type MediaKind = 'playlist' | 'segment' | 'content-key' | 'other';

export interface MediaCacheKey {
  key: string;
  kind: MediaKind;
}

/**
 * The cache key of a media or content-key URL, or null for anything the media cache does not
 * hold. `appOrigin` is the service worker's origin: content keys are only taken from it, while
 * media may come from a CDN origin (MEDIA_BASE_URL).
 */
export function mediaCacheKey(url: URL, appOrigin: string): MediaCacheKey | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.origin === appOrigin && contentKeyPath.test(url.pathname))
    return { key: `${url.origin}${url.pathname}`, kind: 'content-key' };
  const parts = url.pathname.split('/');
  // ['', 'media', token, ...storage key]
  if (parts.length < 4 || parts[1] !== 'media' || !mediaToken.test(parts[2] ?? '')) return null;
  const storageKey = parts.slice(3);
  if (storageKey.some((part) => part === '' || part === '.' || part === '..')) return null;
  const path = storageKey.join('/');
  return { key: `${url.origin}/media/${path}`, kind: kindOf(path) };
}

function kindOf(path: string): MediaKind {
  const lower = path.toLowerCase();
  if (lower.endsWith('.m3u8')) return 'playlist';
  if (/\.(ts|m4s|mp4|m4a|aac)$/.test(lower)) return 'segment';
  return 'other';
}
