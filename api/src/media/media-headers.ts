/** Content types by extension for what the media pipeline writes (HLS, posters, sprites). */
const contentTypes: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  vtt: 'text/vtt; charset=utf-8',
  json: 'application/json',
};

export function mediaContentType(key: string): string {
  const dot = key.lastIndexOf('.');
  if (dot === -1 || dot < key.lastIndexOf('/')) return 'application/octet-stream';
  return contentTypes[key.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
}

const YEAR_SECONDS = 31_536_000;
const PLAYLIST_MAX_AGE = 60;

/**
 * Cache-Control for a CDN in front of /media. Segments, posters and sprites never change under a
 * key (a new transcode gets a new asset prefix), so they are immutable; playlists are cached
 * briefly. Neither may outlive the token in the URL, or a CDN would serve an expired link.
 */
export function mediaCacheControl(key: string, tokenExp: number, nowSeconds: number): string {
  const remaining = Math.max(0, tokenExp - nowSeconds);
  if (key.endsWith('.m3u8')) return `public, max-age=${Math.min(PLAYLIST_MAX_AGE, remaining)}`;
  return `public, max-age=${Math.min(YEAR_SECONDS, remaining)}, immutable`;
}

/** If-None-Match per RFC 9110 §13.1.2: weak comparison, a list of tags or `*`. */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const bare = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const candidate of ifNoneMatch.split(',')) {
    const tag = candidate.trim();
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === bare) return true;
  }
  return false;
}
