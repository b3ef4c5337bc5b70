/**
 * Where server-side rendering sends its `/api` and `/media` requests. The page's own origin is
 * what the browser typed (a public host behind a proxy, or `localhost`, which may resolve to an
 * address the server does not listen on), so SSR goes instead to the configured internal API
 * origin or, when web is mounted inside the API server (the embedded launcher), straight back to
 * the very socket the page request arrived on.
 */
export interface ApiOriginInput {
  /** API_INTERNAL_URL, for a web process running apart from the API. */
  configured: string | undefined;
  localAddress: string | undefined;
  localPort: number | undefined;
}

export class ApiOriginError extends Error {
  readonly code = 'API_INTERNAL_URL_INVALID';
  constructor(value: string) {
    super(`API_INTERNAL_URL must be an http(s) URL, got "${value}"`);
    this.name = 'ApiOriginError';
  }
}

export function apiOrigin({ configured, localAddress, localPort }: ApiOriginInput): string | null {
  const value = configured?.trim();
  if (value) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ApiOriginError(value);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ApiOriginError(value);
    return url.origin;
  }
  if (!localAddress || !localPort) return null;
  // IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is reachable as plain IPv4; other IPv6 needs brackets.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(localAddress)?.[1];
  const host = mapped ?? (localAddress.includes(':') ? `[${localAddress}]` : localAddress);
  return `http://${host}:${localPort}`;
}

/** Same-origin requests for API or media paths are the ones SSR re-targets. */
export function isApiPath(pathname: string): boolean {
  return pathname.startsWith('/api/') || pathname.startsWith('/media/');
}
