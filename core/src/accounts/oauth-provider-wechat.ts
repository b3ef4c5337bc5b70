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
 * WeChat website sign-in (网站应用微信登录), developers.weixin.qq.com "Website Authorization":
 *  - authorize: open.weixin.qq.com/connect/qrconnect?appid&redirect_uri&response_type=code
 *    &scope=snsapi_login&state, with the `#wechat_redirect` fragment the docs require;
 *  - token: GET api.weixin.qq.com/sns/oauth2/access_token?appid&secret&code
 *    &grant_type=authorization_code → {access_token, openid, unionid?} or {errcode, errmsg};
 *  - user: GET api.weixin.qq.com/sns/userinfo?access_token&openid → {openid, unionid?, ...}.
 *
 * The subject is the unionid when WeChat gives one (the same person across the apps of one Open
 * Platform account) and the openid otherwise; a deployment should not switch between binding and
 * not binding its app, or its users' subjects change. Errors come as HTTP 200 with `errcode`.
 */
export function createWechatProvider(
  settings: OAuthProviderSettings,
  fetchImpl: Fetch = fetch,
): OAuthProvider {
  const fail = (what: string, body: Record<string, unknown>): never => {
    throw new OAuthProviderError(
      'wechat',
      `${what} refused: errcode ${String(body.errcode)} ${String(body.errmsg ?? '').slice(0, 200)}`,
    );
  };
  return {
    name: 'wechat',
    pkce: settings.pkce,

    authorizeUrl({ state, codeChallenge, redirectUri }) {
      const url = withQuery(settings.authorizeUrl, {
        appid: settings.clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: settings.scope,
        state,
        code_challenge: codeChallenge,
        code_challenge_method: codeChallenge === null ? null : 'S256',
      });
      return `${url}#wechat_redirect`;
    },

    async exchange({ code, codeVerifier }) {
      const token = await callProvider(
        'wechat',
        fetchImpl,
        withQuery(settings.tokenUrl, {
          appid: settings.clientId,
          secret: settings.clientSecret,
          code,
          grant_type: 'authorization_code',
          code_verifier: codeVerifier,
        }),
      );
      if (token.body.errcode !== undefined && token.body.errcode !== 0) fail('code', token.body);
      if (token.status !== 200) fail(`code (HTTP ${token.status})`, token.body);
      const accessToken = requiredString('wechat', token.body, 'access_token');
      const openid = requiredString('wechat', token.body, 'openid', /^[A-Za-z0-9_-]{1,64}$/);
      const user = await callProvider(
        'wechat',
        fetchImpl,
        withQuery(settings.userInfoUrl, { access_token: accessToken, openid }),
      );
      if (user.body.errcode !== undefined && user.body.errcode !== 0) fail('userinfo', user.body);
      if (user.status !== 200) fail(`userinfo (HTTP ${user.status})`, user.body);
      const unionid = user.body.unionid ?? token.body.unionid;
      const subject =
        unionid === undefined
          ? openid
          : requiredString('wechat', { unionid }, 'unionid', /^[A-Za-z0-9_-]{1,64}$/);
      return { subject };
    },
  };
}
