import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createWechatProvider } from './oauth-provider-wechat.ts';
import { createWeiboProvider } from './oauth-provider-weibo.ts';
import { OAuthProviderError, type OAuthProviderSettings } from './oauth-provider.ts';

/**
 * Each adapter against a provider over a real socket on port 0 that answers in that provider's
 * dialect, as its documentation describes it. (The whole flow through the API, against
 * oauth2-mock-server, is in api/src/auth/oauth-routes.test.ts.)
 */
interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: URLSearchParams;
}

type Script = (seen: Seen) => { status?: number; body: unknown };

describe('OAuth provider adapters', () => {
  let server: Server;
  let base: string;
  let script: Script = () => ({ body: {} });
  const seen: Seen[] = [];

  before(async () => {
    server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://localhost');
        const entry = {
          method: request.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          body: new URLSearchParams(Buffer.concat(chunks).toString()),
        };
        seen.push(entry);
        const answer = script(entry);
        response.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const settings = (over: Partial<OAuthProviderSettings> = {}): OAuthProviderSettings => ({
    clientId: 'client-1',
    clientSecret: 'secret-1',
    authorizeUrl: `${base}/authorize`,
    tokenUrl: `${base}/token`,
    userInfoUrl: `${base}/user`,
    redirectUri: 'https://binge.example/cb',
    scope: 'snsapi_login',
    pkce: false,
    ...over,
  });

  test('WeChat: appid/secret on a GET token request; unionid preferred over openid', async () => {
    seen.length = 0;
    script = ({ path }) =>
      path === '/token'
        ? { body: { access_token: 'AT', openid: 'oOpen123', expires_in: 7200 } }
        : { body: { openid: 'oOpen123', unionid: 'oUnion456', nickname: 'Mei' } };
    const wechat = createWechatProvider(settings());
    const authorize = new URL(
      wechat.authorizeUrl({ state: 'st', codeChallenge: null, redirectUri: 'https://b/cb' }),
    );
    assert.equal(authorize.hash, '#wechat_redirect');
    assert.deepEqual(Object.fromEntries(authorize.searchParams), {
      appid: 'client-1',
      redirect_uri: 'https://b/cb',
      response_type: 'code',
      scope: 'snsapi_login',
      state: 'st',
    });
    const profile = await wechat.exchange({
      code: 'CODE',
      codeVerifier: null,
      redirectUri: 'https://b/cb',
    });
    assert.deepEqual(profile, { subject: 'oUnion456' });
    assert.equal(seen[0]?.method, 'GET');
    assert.deepEqual(Object.fromEntries(seen[0]!.query), {
      appid: 'client-1',
      secret: 'secret-1',
      code: 'CODE',
      grant_type: 'authorization_code',
    });
    assert.deepEqual(Object.fromEntries(seen[1]!.query), {
      access_token: 'AT',
      openid: 'oOpen123',
    });

    script = ({ path }) =>
      path === '/token'
        ? { body: { access_token: 'AT', openid: 'oOnlyOpen' } }
        : { body: { openid: 'oOnlyOpen' } };
    assert.deepEqual(
      await wechat.exchange({ code: 'C', codeVerifier: null, redirectUri: 'https://b/cb' }),
      { subject: 'oOnlyOpen' },
    );
  });

  test('WeChat reports errors in a 200 body; each becomes an OAuthProviderError', async () => {
    const wechat = createWechatProvider(settings());
    const exchange = () =>
      wechat.exchange({ code: 'C', codeVerifier: null, redirectUri: 'https://b/cb' });
    for (const answer of [
      () => ({ body: { errcode: 40029, errmsg: 'invalid code' } }),
      () => ({ body: { access_token: 'AT' } }),
      () => ({ body: 'not json' }),
      () => ({ body: [1, 2] }),
      () => ({ status: 500, body: {} }),
      ({ path }: Seen) =>
        path === '/token'
          ? { body: { access_token: 'AT', openid: 'oX' } }
          : { body: { errcode: 40003, errmsg: 'invalid openid' } },
      ({ path }: Seen) =>
        path === '/token'
          ? { body: { access_token: 'AT', openid: 'o X with spaces' } }
          : { body: {} },
    ] satisfies Script[]) {
      script = answer;
      await assert.rejects(exchange(), OAuthProviderError);
    }
  });

  test('Weibo: a form POST with redirect_uri and the PKCE verifier; users/show must agree', async () => {
    seen.length = 0;
    script = ({ path }) =>
      path === '/token'
        ? { body: { access_token: 'AT', uid: '1404376560', expires_in: 157679999 } }
        : { body: { id: 1404376560, idstr: '1404376560', screen_name: 'zaku' } };
    const weibo = createWeiboProvider(settings({ scope: '', pkce: true }));
    const authorize = new URL(
      weibo.authorizeUrl({ state: 'st', codeChallenge: 'CH', redirectUri: 'https://b/cb' }),
    );
    assert.deepEqual(Object.fromEntries(authorize.searchParams), {
      client_id: 'client-1',
      redirect_uri: 'https://b/cb',
      response_type: 'code',
      state: 'st',
      code_challenge: 'CH',
      code_challenge_method: 'S256',
    });
    const profile = await weibo.exchange({
      code: 'CODE',
      codeVerifier: 'VERIFIER',
      redirectUri: 'https://b/cb',
    });
    assert.deepEqual(profile, { subject: '1404376560' });
    assert.equal(seen[0]?.method, 'POST');
    assert.deepEqual(Object.fromEntries(seen[0]!.body), {
      client_id: 'client-1',
      client_secret: 'secret-1',
      grant_type: 'authorization_code',
      code: 'CODE',
      redirect_uri: 'https://b/cb',
      code_verifier: 'VERIFIER',
    });
    assert.deepEqual(Object.fromEntries(seen[1]!.query), { access_token: 'AT', uid: '1404376560' });
  });

  test('Weibo errors, a uid users/show does not confirm, and an unreachable provider are refused', async () => {
    const weibo = createWeiboProvider(settings());
    const exchange = () =>
      weibo.exchange({ code: 'C', codeVerifier: null, redirectUri: 'https://b/cb' });
    for (const answer of [
      () => ({
        status: 400,
        body: { error: 'invalid_grant', error_code: 21325, error_description: 'bad code' },
      }),
      () => ({ body: { access_token: 'AT', uid: 'abc' } }),
      ({ path }: Seen) =>
        path === '/token' ? { body: { access_token: 'AT', uid: '1' } } : { body: { idstr: '2' } },
      ({ path }: Seen) =>
        path === '/token'
          ? { body: { access_token: 'AT', uid: '1' } }
          : { status: 403, body: { error: 'expired_token', error_code: 21327 } },
      () => ({ body: 'x'.repeat(70_000) }),
    ] satisfies Script[]) {
      script = answer;
      await assert.rejects(exchange(), OAuthProviderError);
    }
    const unreachable = createWeiboProvider(settings({ tokenUrl: 'http://127.0.0.1:1/token' }));
    await assert.rejects(
      unreachable.exchange({ code: 'C', codeVerifier: null, redirectUri: 'https://b/cb' }),
      /unreachable/,
    );
  });
});
