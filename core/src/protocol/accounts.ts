/**
 * Wire types of sign-in, sessions and linked sign-in methods (`/api/v1/auth/...`,
 * `/api/v1/me/sessions`, `/api/v1/me/identities`). The session itself is AuthSession in
 * catalog.ts. Browser-safe: the web client imports these.
 */
import type { AuthSession } from './catalog.ts';

/** One signed-in device of the caller's account. */
export interface SessionDevice {
  id: string;
  /** From the sign-in's `deviceName`, else derived from its User-Agent. */
  deviceName: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: the last sign-in, refresh or request seen (to within a few minutes). */
  lastSeenAt: string;
  /** The session of the token this list was asked with. */
  current: boolean;
}

export interface SessionList {
  /** Live sessions, most recently seen first. */
  items: SessionDevice[];
}

/** `POST /auth/sms/send`: a code is on its way. */
export interface SmsCodeSent {
  /** ISO 8601: the code works until then (5 minutes). */
  expiresAt: string;
  /** Seconds before another code may be sent to this number. */
  resendAfterSeconds: number;
}

export type IdentityProviderName = 'phone' | 'wechat' | 'weibo';

/** A sign-in method of the caller's account. */
export interface LinkedIdentity {
  provider: IdentityProviderName;
  /** The phone number masked (`+86*******8000`); null for WeChat and Weibo. */
  hint: string | null;
  /** ISO 8601. */
  linkedAt: string;
  /** ISO 8601: the last sign-in with it. */
  lastUsedAt: string;
}

export interface IdentityList {
  /** True until the account signs in with (or links) a phone or a third-party account. */
  isGuest: boolean;
  items: LinkedIdentity[];
}

export type OAuthProviderName = 'wechat' | 'weibo';

/** `GET /auth/oauth/{provider}/start` with `Accept: application/json`. */
export interface OAuthStart {
  /** Open this in the browser: the provider's consent page. */
  authorizeUrl: string;
  state: string;
  /** ISO 8601: the callback must come back before then (10 minutes). */
  expiresAt: string;
}

/**
 * `GET /auth/oauth/{provider}/callback`: a sign-in answers `session`; a link (started with
 * `link=true` by a signed-in user) answers the account's methods in `identities` instead.
 */
export interface OAuthCallbackResult {
  session: AuthSession | null;
  identities: IdentityList | null;
  /** The same-origin path given to start, to go back to. */
  returnTo: string | null;
}
