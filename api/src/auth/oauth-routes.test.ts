import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { OAuth2Server, type MutableRedirectUri, type MutableResponse } from 'oauth2-mock-server';
import {
  createRecordingSmsSender,
  type RecordingSmsSender,
} from '@binge/core/accounts/sms-sender-recording';
import { authIdentities, users } from '@binge/core/db/schema';
import type { OAuthCallbackResult, OAuthStart } from '@binge/core/protocol/accounts';
import { assertProblem } from '../testing/assert-problem.ts';
import { clientOf, signInAsGuest, type SessionClient } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { authClient, cookieFrom, signInWithPhone } from './auth-client.ts';
import { memberHandlePattern } from './guest-identity.ts';

/**
 * The whole authorization-code flow against oauth2-mock-server on a random port: its /authorize
 * issues codes and checks PKCE challenges, its /token and /userinfo speak Weibo once our hooks add
 * Weibo's fields, and two routes added to it speak WeChat's GET dialect (appid/secret, openid).
 */
const REDIRECT = (provider: string) => `http://binge.test/api/v1/auth/oauth/${provider}/callback`;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`OAuth sign-in on ${kind}`, () => {
    let provider: OAuth2Server;
    let t: TestApp;
    let sms: RecordingSmsSender;
    let clock = Date.now();
    /** Who the provider says signed in, set by each test. */
    let weiboUid = '1000000001';
    let wechat = { openid: 'oOpen0001', unionid: 'oUnion0001' as string | undefined };
    let failToken: { status: number; body: Record<string, unknown> } | null = null;
    const issuedCodes = new Set<string>();
    const seenTokenRequests: Array<Record<string, unknown>> = [];

    const json = (res: ServerResponse, body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };

    before(async () => {
      provider = new OAuth2Server();
      await provider.issuer.keys.generate('RS256');
      await provider.start(0, '127.0.0.1');
      const base = provider.issuer.url!;
      const service = provider.service;
      service.on('beforeAuthorizeRedirect', (redirect: MutableRedirectUri) => {
        const code = redirect.url.searchParams.get('code');
        if (code) issuedCodes.add(code);
      });
      service.on('beforeResponse', (response: MutableResponse, req: IncomingMessage) => {
        seenTokenRequests.push({ ...(req as IncomingMessage & { body: object }).body });
        if (failToken) {
          response.statusCode = failToken.status;
          response.body = failToken.body;
          return;
        }
        if (response.body !== '') response.body.uid = weiboUid;
      });
      service.on('beforeUserinfo', (response: MutableResponse) => {
        response.body = { id: Number(weiboUid), idstr: weiboUid, screen_name: 'someone' };
      });
      service.addRoute('GET', '/sns/oauth2/access_token', (req, res) => {
        const { appid, secret, code, grant_type } = req.query;
        if (appid !== 'wx-app' || secret !== 'wx-secret' || grant_type !== 'authorization_code')
          return json(res, { errcode: 40125, errmsg: 'invalid appsecret' });
        if (typeof code !== 'string' || !issuedCodes.delete(code))
          return json(res, { errcode: 40029, errmsg: 'invalid code' });
        json(res, { access_token: `wx-at-${code}`, expires_in: 7200, openid: wechat.openid });
      });
      service.addRoute('GET', '/sns/userinfo', (req, res) => {
        if (typeof req.query.access_token !== 'string' || req.query.openid !== wechat.openid)
          return json(res, { errcode: 40003, errmsg: 'invalid openid' });
        json(res, {
          openid: wechat.openid,
          nickname: 'someone',
          ...(wechat.unionid ? { unionid: wechat.unionid } : {}),
        });
      });

      sms = createRecordingSmsSender();
      t = await openTestApp(
        kind,
        {
          smsSender: sms,
          env: {
            OAUTH_WEIBO_CLIENT_ID: 'weibo-app',
            OAUTH_WEIBO_CLIENT_SECRET: 'weibo-secret',
            OAUTH_WEIBO_AUTHORIZE_URL: `${base}/authorize`,
            OAUTH_WEIBO_TOKEN_URL: `${base}/token`,
            OAUTH_WEIBO_USERINFO_URL: `${base}/userinfo`,
            OAUTH_WEIBO_REDIRECT_URI: REDIRECT('weibo'),
            // Weibo does not document PKCE; the test server checks it, so it is on here.
            OAUTH_WEIBO_PKCE: 'true',
            OAUTH_WECHAT_CLIENT_ID: 'wx-app',
            OAUTH_WECHAT_CLIENT_SECRET: 'wx-secret',
            OAUTH_WECHAT_AUTHORIZE_URL: `${base}/authorize`,
            OAUTH_WECHAT_TOKEN_URL: `${base}/sns/oauth2/access_token`,
            OAUTH_WECHAT_USERINFO_URL: `${base}/sns/userinfo`,
            OAUTH_WECHAT_REDIRECT_URI: REDIRECT('wechat'),
          },
        },
        { signIn: { nowMs: () => clock } },
      );
    });
    after(async () => {
      await t.close();
      await provider.stop();
    });

    /** Follows the consent page as a user who agrees: the provider's redirect back to us. */
    async function consent(authorizeUrl: string): Promise<string> {
      const answer = await fetch(authorizeUrl, { redirect: 'manual' });
      assert.equal(answer.status, 302);
      const back = new URL(answer.headers.get('location')!);
      return back.search.slice(1);
    }

    /** start → provider → callback, as one browser; `client` signs the calls in. */
    async function signIn(
      name: 'weibo' | 'wechat',
      options: { client?: SessionClient; start?: string; callbackClient?: SessionClient } = {},
    ) {
      const starter = authClient(t.app, options.client ? { headers: options.client.headers } : {});
      const start = await starter.oauthStart(name, options.start ?? '');
      assert.equal(start.statusCode, 302, start.body);
      const query = await consent(String(start.headers.location));
      const finisher = authClient(
        t.app,
        options.callbackClient ? { headers: options.callbackClient.headers } : {},
      );
      const callback = await finisher.oauthCallback(name, query, cookieFrom(start));
      return { start, query, cookie: cookieFrom(start), callback };
    }

    const resultOf = (response: LightMyRequestResponse): OAuthCallbackResult => {
      assert.equal(response.statusCode, 200, response.body);
      return response.json();
    };

    test('Weibo: consent page with state and a PKCE challenge, a browser-bound cookie, an account', async () => {
      weiboUid = '1000000001';
      seenTokenRequests.length = 0;
      const { start, callback } = await signIn('weibo', { start: 'returnTo=%2Fseries%2F7' });
      const authorize = new URL(String(start.headers.location));
      assert.equal(authorize.searchParams.get('client_id'), 'weibo-app');
      assert.equal(authorize.searchParams.get('redirect_uri'), REDIRECT('weibo'));
      assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
      assert.match(authorize.searchParams.get('code_challenge') ?? '', /^[\w-]{43}$/);
      assert.match(authorize.searchParams.get('state') ?? '', /^[\w-]{43}$/);
      const setCookie = String(start.headers['set-cookie']);
      assert.match(
        setCookie,
        /^binge_oauth=[\w-]{43}; Path=\/api\/v1\/auth\/oauth\/weibo; Max-Age=600; HttpOnly; SameSite=Lax$/,
      );
      assert.equal(start.headers['cache-control'], 'no-store');

      const result = resultOf(callback);
      assert.equal(result.returnTo, '/series/7');
      assert.equal(result.identities, null);
      const session = result.session!;
      assert.match(session.user.handle, memberHandlePattern);
      assert.equal((await clientOf(t.app, session).me()).statusCode, 200);
      // The verifier went to the token endpoint (the test server checked it against the challenge).
      assert.match(String(seenTokenRequests[0]?.code_verifier), /^[\w-]{43}$/);
      assert.equal(seenTokenRequests[0]?.client_secret, 'weibo-secret');
      const [identity] = await t.db.db
        .select()
        .from(authIdentities)
        .where(eq(authIdentities.userId, session.user.id));
      assert.deepEqual([identity?.provider, identity?.subject], ['weibo', '1000000001']);
      assert.match(String(callback.headers['set-cookie']), /^binge_oauth=; .*Max-Age=0/);

      const again = resultOf((await signIn('weibo')).callback);
      assert.equal(again.session!.user.id, session.user.id);
    });

    test('WeChat: appid and secret, unionid as the subject; JSON start for apps', async () => {
      wechat = { openid: 'oOpen0002', unionid: 'oUnion0002' };
      const starter = authClient(t.app);
      const start = await starter.oauthStart('wechat', '', 'json');
      assert.equal(start.statusCode, 200, start.body);
      const body: OAuthStart = start.json();
      const authorize = new URL(body.authorizeUrl);
      assert.equal(authorize.hash, '#wechat_redirect');
      assert.equal(authorize.searchParams.get('appid'), 'wx-app');
      assert.equal(authorize.searchParams.get('scope'), 'snsapi_login');
      assert.equal(authorize.searchParams.get('code_challenge'), null, 'no PKCE for WeChat');
      assert.equal(authorize.searchParams.get('state'), body.state);
      assert.equal(body.expiresAt, new Date(clock + 10 * 60_000).toISOString());
      const query = await consent(body.authorizeUrl);
      const result = resultOf(await starter.oauthCallback('wechat', query, cookieFrom(start)));
      const [identity] = await t.db.db
        .select()
        .from(authIdentities)
        .where(eq(authIdentities.userId, result.session!.user.id));
      assert.deepEqual([identity?.provider, identity?.subject], ['wechat', 'oUnion0002']);
    });

    test('a state works once, in the browser that started, for ten minutes, for its provider', async () => {
      weiboUid = '1000000003';
      const { query, cookie, callback } = await signIn('weibo');
      assert.equal(callback.statusCode, 200, callback.body);
      const anon = authClient(t.app);
      assertProblem(await anon.oauthCallback('weibo', query, cookie), 400, 'OAUTH_STATE_INVALID');

      const start = await anon.oauthStart('weibo');
      const fresh = await consent(String(start.headers.location));
      const other = await anon.oauthStart('weibo');
      assertProblem(await anon.oauthCallback('weibo', fresh), 400, 'OAUTH_STATE_INVALID');
      assertProblem(
        await anon.oauthCallback('weibo', fresh, cookieFrom(other)),
        400,
        'OAUTH_STATE_INVALID',
      );
      assertProblem(
        await anon.oauthCallback('wechat', fresh, cookieFrom(start).replace('weibo', 'wechat')),
        400,
        'OAUTH_STATE_INVALID',
      );
      const params = new URLSearchParams(fresh);
      params.set('state', 'A'.repeat(43));
      assertProblem(
        await anon.oauthCallback('weibo', params.toString(), cookieFrom(start)),
        400,
        'OAUTH_STATE_INVALID',
      );
      assertProblem(
        await anon.oauthCallback('weibo', `code=x`, cookieFrom(start)),
        400,
        'OAUTH_STATE_INVALID',
      );
      clock += 10 * 60_000;
      assertProblem(
        await anon.oauthCallback('weibo', fresh, cookieFrom(start)),
        400,
        'OAUTH_STATE_INVALID',
      );
      clock -= 10 * 60_000;
    });

    test('provider refusals and a denied consent are OAUTH_PROVIDER_ERROR', async () => {
      const anon = authClient(t.app);
      failToken = { status: 400, body: { error: 'invalid_grant', error_code: 21325 } };
      try {
        assertProblem((await signIn('weibo')).callback, 502, 'OAUTH_PROVIDER_ERROR');
      } finally {
        failToken = null;
      }
      const denied = await anon.oauthStart('weibo');
      const state = new URL(String(denied.headers.location)).searchParams.get('state')!;
      assertProblem(
        await anon.oauthCallback(
          'weibo',
          `error=access_denied&error_description=no&state=${state}`,
          cookieFrom(denied),
        ),
        502,
        'OAUTH_PROVIDER_ERROR',
      );
      wechat = { openid: 'bad openid with spaces', unionid: undefined };
      assertProblem((await signIn('wechat')).callback, 502, 'OAUTH_PROVIDER_ERROR');
      // A code WeChat never issued (or already redeemed).
      wechat = { openid: 'oOpen0004', unionid: undefined };
      const start = await anon.oauthStart('wechat');
      const query = new URLSearchParams(await consent(String(start.headers.location)));
      query.set('code', 'forged-code');
      assertProblem(
        await anon.oauthCallback('wechat', query.toString(), cookieFrom(start)),
        502,
        'OAUTH_PROVIDER_ERROR',
      );
    });

    test('unknown and unconfigured providers are 404; returnTo must stay on the site', async () => {
      const anon = authClient(t.app);
      for (const name of ['github', 'WEIBO', '__proto__', 'constructor'])
        assertProblem(await anon.oauthStart(name), 404, 'PROVIDER_NOT_FOUND');
      assertProblem(
        await anon.oauthCallback('github', 'code=a&state=b'),
        404,
        'PROVIDER_NOT_FOUND',
      );
      const bare = await openTestApp(kind, { db: t.db });
      try {
        assertProblem(await authClient(bare.app).oauthStart('weibo'), 404, 'PROVIDER_NOT_FOUND');
      } finally {
        await bare.close();
      }
      for (const returnTo of ['//evil.example/x', 'https://evil.example', '/\\evil', 'me', '/a b'])
        assertProblem(
          await anon.oauthStart('weibo', `returnTo=${encodeURIComponent(returnTo)}`),
          400,
          'VALIDATION_FAILED',
        );
      assertProblem(
        await anon.oauthStart('weibo', `returnTo=/${'x'.repeat(600)}`),
        400,
        'VALIDATION_FAILED',
      );
      assertProblem(await anon.oauthStart('weibo', 'link=maybe'), 400, 'VALIDATION_FAILED');
    });

    test('link=true adds the provider to the signed-in account; one of another account is taken', async () => {
      const member = clientOf(t.app, await signInWithPhone(t.app, sms, '+8613300000001'));
      weiboUid = '1000000005';
      const linked = resultOf(
        (await signIn('weibo', { client: member, start: 'link=true&returnTo=%2Fme' })).callback,
      );
      assert.equal(linked.session, null);
      assert.equal(linked.returnTo, '/me');
      assert.deepEqual(linked.identities?.items.map((i) => i.provider).sort(), ['phone', 'weibo']);
      assert.equal(
        (await authClient(t.app, { headers: member.headers }).unlink('phone')).statusCode,
        204,
      );

      assertProblem(await authClient(t.app).oauthStart('weibo', 'link=true'), 401, 'AUTH_REQUIRED');
      weiboUid = '1000000001';
      const taken = await signIn('weibo', { client: member, start: 'link=true' });
      assertProblem(taken.callback, 409, 'IDENTITY_TAKEN');
    });

    test('a guest finishing with its token is upgraded; a banned account gets no session', async () => {
      const guest = await signInAsGuest(t.app);
      weiboUid = '1000000006';
      const upgraded = resultOf((await signIn('weibo', { callbackClient: guest })).callback);
      assert.equal(upgraded.session!.user.id, guest.user.id);
      assertProblem(await guest.me(), 401, 'SESSION_REVOKED');

      await t.db.db
        .update(users)
        .set({ bannedAt: new Date(), banReason: 'bots' })
        .where(eq(users.id, guest.user.id));
      assertProblem((await signIn('weibo')).callback, 403, 'ACCOUNT_BANNED');
    });
  });
}
