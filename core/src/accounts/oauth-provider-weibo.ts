import {
  callProvider,
  OAuthProviderError,
  requiredString,
  withQuery,
  type Fetch,
  type OAuthProvider,
  type OAuthProviderSettings,
} from './oauth-provider.ts';

/**
 * Weibo OAuth 2 (open.weibo.com/wiki/授权机制说明):
 *  - authorize: api.weibo.com/oauth2/authorize?client_id&redirect_uri&response_type=code&state;
 *  - token: POST api.weibo.com/oauth2/access_token, form client_id, client_secret,
 *    grant_type=authorization_code, code, redirect_uri → {access_token, uid} or
 *    {error, error_code, error_description};
 *  - user: GET api.weibo.com/2/users/show.json?access_token&uid → {idstr, ...}.
 *
 * The subject is the uid, which users/show must confirm (its `idstr`): the token answer alone is
 * not taken as proof of who signed in.
 */
export function createWeiboProvider(
  settings: OAuthProviderSettings,
  fetchImpl: Fetch = fetch,
): OAuthProvider {
  const fail = (what: string, status: number, body: Record<string, unknown>): never => {
    const reason = body.error_description ?? body.error ?? `HTTP ${status}`;
    throw new OAuthProviderError(
      'weibo',
      `${what} refused: ${String(body.error_code ?? '')} ${String(reason).slice(0, 200)}`,
    );
  };
  return {
    name: 'weibo',
    pkce: settings.pkce,

    authorizeUrl({ state, codeChallenge, redirectUri }) {
      return withQuery(settings.authorizeUrl, {
        client_id: settings.clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: settings.scope === '' ? null : settings.scope,
        state,
        code_challenge: codeChallenge,
        code_challenge_method: codeChallenge === null ? null : 'S256',
      });
    },

    async exchange({ code, codeVerifier, redirectUri }) {
      const form = new URLSearchParams({
        client_id: settings.clientId,
        client_secret: settings.clientSecret,
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
      });
      if (codeVerifier !== null) form.set('code_verifier', codeVerifier);
      const token = await callProvider('weibo', fetchImpl, settings.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      if (token.status !== 200 || token.body.error !== undefined)
        fail('code', token.status, token.body);
      const accessToken = requiredString('weibo', token.body, 'access_token');
      const uid = requiredString('weibo', token.body, 'uid', /^[1-9][0-9]{0,19}$/);
      const user = await callProvider(
        'weibo',
        fetchImpl,
        withQuery(settings.userInfoUrl, { access_token: accessToken, uid }),
      );
      if (user.status !== 200 || user.body.error !== undefined)
        fail('users/show', user.status, user.body);
      const confirmed = requiredString('weibo', user.body, 'idstr', /^[1-9][0-9]{0,19}$/);
      if (confirmed !== uid) throw new OAuthProviderError('weibo', 'users/show is another user');
      return { subject: uid };
    },
  };
}
