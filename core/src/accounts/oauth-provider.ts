import type { OAuthProviderName } from './oauth-state-store.ts';

/**
 * The OAuth 2 authorization-code flow (RFC 6749 §4.1) as each sign-in provider speaks it. The
 * flow is the same everywhere; the dialects differ (WeChat names the client `appid`/`secret` and
 * takes the token request as a GET, Weibo returns the user id with the token), so each provider
 * is a small adapter file beside this port: oauth-provider-wechat.ts, oauth-provider-weibo.ts.
 */
export interface OAuthProviderSettings {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  userInfoUrl: string;
  /** Our callback as registered with the provider. */
  redirectUri: string;
  scope: string;
  /** Send a PKCE S256 challenge (RFC 7636); only where the provider checks it. */
  pkce: boolean;
}

/**
 * Who signed in, as the provider says. Only the id: a provider's nickname is third-party text that
 * would have to pass the name filter before it could be shown, and the user picks their own name.
 */
export interface OAuthProfile {
  /** Stable id of the person at this provider: the identity's subject. */
  subject: string;
}

export interface OAuthProvider {
  readonly name: OAuthProviderName;
  readonly pkce: boolean;
  /** Where to send the browser: the provider's consent page for this request. */
  authorizeUrl(input: { state: string; codeChallenge: string | null; redirectUri: string }): string;
  /** Redeems the code and reads the user. Rejects with OAuthProviderError on any refusal. */
  exchange(input: {
    code: string;
    codeVerifier: string | null;
    redirectUri: string;
  }): Promise<OAuthProfile>;
}

/** The provider refused, failed or answered something we cannot read: OAUTH_PROVIDER_ERROR. */
export class OAuthProviderError extends Error {
  override readonly name = 'OAuthProviderError';
  constructor(
    readonly provider: OAuthProviderName,
    message: string,
  ) {
    super(`${provider}: ${message}`);
  }
}

export type Fetch = typeof fetch;

const TIMEOUT_MS = 10_000;
/** Token and user-info answers are a few hundred bytes; anything far larger is not one. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * One provider call: a timeout, a size cap, JSON or nothing. The body is returned whatever the
 * status, because these providers report errors in a 200 body (WeChat's `errcode`) as often as
 * with a 4xx; the adapter decides.
 */
export async function callProvider(
  provider: OAuthProviderName,
  fetchImpl: Fetch,
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      ...init,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { accept: 'application/json', ...init.headers },
    });
  } catch (error) {
    throw new OAuthProviderError(provider, `unreachable (${(error as Error).message})`);
  }
  const text = await response.text();
  if (text.length > MAX_RESPONSE_BYTES)
    throw new OAuthProviderError(provider, `answered ${text.length} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new OAuthProviderError(provider, `answered HTTP ${response.status} without JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new OAuthProviderError(provider, `answered HTTP ${response.status} with a non-object`);
  return { status: response.status, body: body as Record<string, unknown> };
}

/** A string field that must be there: an id or a token. */
export function requiredString(
  provider: OAuthProviderName,
  body: Record<string, unknown>,
  field: string,
  // Printable ASCII, up to 4 KB: providers' tokens run from 32 characters to JWTs of a few hundred.
  pattern = /^[\x21-\x7e]{1,4096}$/,
): string {
  const value = body[field];
  if (typeof value === 'number' && Number.isSafeInteger(value) && pattern.test(String(value)))
    return String(value);
  if (typeof value !== 'string' || !pattern.test(value))
    throw new OAuthProviderError(provider, `no usable ${field} in the answer`);
  return value;
}

export function withQuery(base: string, params: Record<string, string | null>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params))
    if (value !== null) url.searchParams.set(name, value);
  return url.toString();
}
