/**
 * OAuth 2 authorization requests in flight (`oauth_states`): created by `/auth/oauth/{p}/start`,
 * consumed once by its callback. The key is what the callback can recompute (the API derives it
 * from the `state` parameter and the browser-binding cookie, oauth-routes.ts), the PKCE verifier
 * waits here for the code exchange, and `linkUserId` marks a signed-in user adding a method.
 *
 * Implementation: oauth-state-store-sql.ts; tests in oauth-state-store.test.ts run against PGlite
 * and PostgreSQL.
 */
export type OAuthProviderName = 'wechat' | 'weibo';

export interface OAuthStateRecord {
  key: string;
  provider: OAuthProviderName;
  codeVerifier: string | null;
  redirectUri: string;
  returnTo: string | null;
  linkUserId: number | null;
  expiresAt: Date;
}

export interface OAuthStateStore {
  create(record: OAuthStateRecord, now: Date): Promise<void>;
  /**
   * Marks the state used and returns it, exactly once; null when it is unknown, of another
   * provider, expired or already used (a replayed callback).
   */
  consume(key: string, provider: OAuthProviderName, now: Date): Promise<OAuthStateRecord | null>;
}
