import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

/** The sign-in settings of loadConfig: token lifetimes, the SMS provider, OAuth providers. */
describe('loadConfig: sign-in settings', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'binge-auth-config-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  test('defaults: 15-minute access tokens, 30-day refresh tokens, codes in the log, no OAuth', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    assert.equal(config.accessTokenTtlSeconds, 900);
    assert.equal(config.refreshTokenTtlSeconds, 30 * 24 * 3600);
    assert.equal(config.smsProvider, 'log');
    assert.deepEqual(config.oauth, { wechat: undefined, weibo: undefined });
  });

  test('a provider with a client id and secret is on, with the real endpoints by default', () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      PUBLIC_URL: 'https://binge.example/',
      OAUTH_WECHAT_CLIENT_ID: 'wx1234567890abcdef',
      OAUTH_WECHAT_CLIENT_SECRET: 'secret',
      OAUTH_WEIBO_CLIENT_ID: '3456789012',
      OAUTH_WEIBO_CLIENT_SECRET: 'weibo-secret',
      OAUTH_WEIBO_TOKEN_URL: 'http://127.0.0.1:9999/token',
      OAUTH_WEIBO_PKCE: 'true',
      ACCESS_TOKEN_TTL: '60',
    });
    assert.deepEqual(config.oauth.wechat, {
      clientId: 'wx1234567890abcdef',
      clientSecret: 'secret',
      authorizeUrl: 'https://open.weixin.qq.com/connect/qrconnect',
      tokenUrl: 'https://api.weixin.qq.com/sns/oauth2/access_token',
      userInfoUrl: 'https://api.weixin.qq.com/sns/userinfo',
      redirectUri: 'https://binge.example/api/v1/auth/oauth/wechat/callback',
      scope: 'snsapi_login',
      pkce: false,
    });
    assert.equal(config.oauth.weibo?.authorizeUrl, 'https://api.weibo.com/oauth2/authorize');
    assert.equal(config.oauth.weibo?.tokenUrl, 'http://127.0.0.1:9999/token');
    assert.equal(config.oauth.weibo?.userInfoUrl, 'https://api.weibo.com/2/users/show.json');
    assert.equal(config.oauth.weibo?.pkce, true);
    assert.equal(config.accessTokenTtlSeconds, 60);
  });

  test('half a provider, a bad URL or lifetime, an unknown SMS provider stop the start', () => {
    for (const [env, variable] of [
      [{ OAUTH_WECHAT_CLIENT_ID: 'wx1' }, 'OAUTH_WECHAT_CLIENT_SECRET'],
      [{ OAUTH_WEIBO_CLIENT_SECRET: 's' }, 'OAUTH_WEIBO_CLIENT_ID'],
      [
        {
          OAUTH_WEIBO_CLIENT_ID: '1',
          OAUTH_WEIBO_CLIENT_SECRET: 's',
          OAUTH_WEIBO_TOKEN_URL: 'ftp://x',
        },
        'OAUTH_WEIBO_TOKEN_URL',
      ],
      [{ ACCESS_TOKEN_TTL: '10' }, 'ACCESS_TOKEN_TTL'],
      [{ REFRESH_TOKEN_TTL: '60' }, 'REFRESH_TOKEN_TTL'],
      [{ SMS_PROVIDER: 'twilio' }, 'SMS_PROVIDER'],
    ] as const) {
      assert.throws(
        () => loadConfig({ DATA_DIR: dataDir, ...env }),
        (error: unknown) => error instanceof ConfigError && error.variable === variable,
        variable,
      );
    }
  });
});
