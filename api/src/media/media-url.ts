import { mediaTokenExpiry, normalizeScope, signMediaToken } from './media-token.ts';

export interface MediaUrlSigner {
  /** The expiry (unix seconds) of URLs signed now; one value per request keeps them consistent. */
  expiry(): number;
  /**
   * `/media/<token>/<key>` granting `scope` (an asset's storage prefix). A key outside the scope
   * is signed for itself alone, so a misplaced file still gets a working, narrow URL.
   */
  url(key: string, scope: string | null, exp: number): string;
}

export function createMediaUrlSigner(options: {
  secret: string;
  ttlSeconds: number;
  /** Prefix for a CDN host, e.g. `https://cdn.example.com`; empty means same-origin paths. */
  baseUrl?: string;
  nowSeconds?: () => number;
}): MediaUrlSigner {
  const base = (options.baseUrl ?? '').replace(/\/$/, '');
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return {
    expiry: () => mediaTokenExpiry(nowSeconds(), options.ttlSeconds),
    url(key, scope, exp) {
      const normalized = scope === null ? '' : normalizeScope(scope);
      const grant = normalized !== '' && key.startsWith(`${normalized}/`) ? normalized : key;
      const token = signMediaToken(options.secret, grant, exp);
      return `${base}/media/${token}/${key.split('/').map(encodeURIComponent).join('/')}`;
    },
  };
}
