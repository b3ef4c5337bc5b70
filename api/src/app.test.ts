import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { errorCodes } from '@binge/core/protocol/errors';
import { insertCategory, insertEpisode, insertSeries } from './testing/catalog-fixtures.ts';
import { openTestApp, type TestApp } from './testing/test-app.ts';

describe('app', () => {
  let t: TestApp;
  let withFallback: TestApp;
  let broken: TestApp;
  let episodeId: number;

  before(async () => {
    t = await openTestApp('pglite');
    withFallback = await openTestApp(
      'pglite',
      { db: t.db },
      {
        fallback: (_request, reply) => reply.type('text/html').send('<h1>web</h1>'),
      },
    );
    // A paywall that fails unexpectedly, to see what an internal error looks like from outside.
    broken = await openTestApp('pglite', {
      db: t.db,
      entitlements: {
        canWatch: async () => {
          throw new Error('secret connection string postgres://user:pw@db');
        },
      },
    });
    const categoryId = await insertCategory(t.db.db, { slug: 'drama' });
    const seriesId = await insertSeries(t.db.db, { slug: 's', categoryId });
    ({ episodeId } = await insertEpisode(t.db.db, { seriesId, number: 1 }));
  });
  after(async () => {
    await broken.close();
    await withFallback.close();
    await t.close();
  });

  test('liveness and readiness', async () => {
    assert.deepEqual((await t.app.inject('/api/health')).json(), { status: 'ok' });
    assert.deepEqual((await t.app.inject('/api/ready')).json(), { status: 'ok' });
  });

  test('readiness fails with NOT_READY when the database does not answer', async () => {
    const down = await openTestApp('pglite', {
      db: { ...t.db, ping: () => Promise.reject(new Error('connection refused')) },
    });
    try {
      const response = await down.app.inject('/api/ready');
      assert.equal(response.statusCode, 503);
      assert.equal(response.json().code, 'NOT_READY');
      assert.equal((await down.app.inject('/api/health')).statusCode, 200);
    } finally {
      await down.close();
    }
  });

  test('unexpected errors are INTERNAL and leak nothing', async () => {
    const response = await broken.app.inject(`/api/v1/episodes/${episodeId}/playback`);
    assert.equal(response.statusCode, 500);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    const problem = response.json();
    assert.equal(problem.code, 'INTERNAL');
    assert.doesNotMatch(response.body, /secret|postgres|at |\.ts/);
  });

  test('unknown paths are NOT_FOUND problems; wrong methods METHOD_NOT_ALLOWED', async () => {
    for (const path of ['/api/v1/nope', '/api/v2/series', '/', '/media'])
      assert.equal((await t.app.inject(path)).json().code, 'NOT_FOUND', path);
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/categories' });
    assert.equal(response.statusCode, 405);
    assert.equal(response.json().code, 'METHOD_NOT_ALLOWED');
    assert.equal(response.headers.allow, 'GET, HEAD');
  });

  test('a fallback answers paths outside the API, never API paths', async () => {
    const page = await withFallback.app.inject('/feed');
    assert.equal(page.statusCode, 200);
    assert.equal(page.body, '<h1>web</h1>');
    assert.equal((await withFallback.app.inject('/api/v1/nope')).json().code, 'NOT_FOUND');
    assert.equal((await withFallback.app.inject('/media/x/y')).json().code, 'MEDIA_TOKEN_INVALID');
  });

  test('a body on a read-only route and bad URLs are coded problems', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/series/%E0%A4%A' });
    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  });

  test('OpenAPI lists the routes and every error code', async () => {
    const response = await t.app.inject('/docs/json');
    assert.equal(response.statusCode, 200);
    const doc = response.json();
    assert.match(doc.openapi, /^3\./);
    for (const path of [
      '/api/health',
      '/api/ready',
      '/api/v1/categories',
      '/api/v1/series',
      '/api/v1/series/{id}',
      '/api/v1/episodes/{id}/playback',
      '/api/v1/episodes/{id}/keys/{assetId}',
      '/api/v1/lists/hot',
      '/api/v1/lists/new',
      '/api/v1/auth/guest',
      '/api/v1/me',
      '/api/v1/realtime/token',
      '/api/v1/me/progress',
      '/api/v1/me/dms',
      '/api/v1/rooms/{roomId}/chat',
      '/api/v1/episodes/{id}/danmu',
      '/api/v1/me/blocks/{userId}',
    ])
      assert.ok(doc.paths[path], `${path} missing from OpenAPI`);
    assert.deepEqual([...doc.components.schemas.ErrorCode.enum].sort(), [...errorCodes].sort());
    const text = JSON.stringify(doc.paths);
    for (const code of [
      'INVALID_ID',
      'INVALID_CURSOR',
      'PAGE_SIZE_OUT_OF_RANGE',
      'EPISODE_LOCKED',
      'SERIES_NOT_FOUND',
      'AUTH_REQUIRED',
      'SESSION_INVALID',
      'SESSION_EXPIRED',
      'RATE_LIMITED',
      'ROOM_NOT_FOUND',
      'USER_NOT_FOUND',
      'CANNOT_BLOCK_SELF',
      'INVALID_DANMU_WINDOW',
    ])
      assert.ok(text.includes(code), `${code} not in any response`);
    // Routes that read the caller name the bearer scheme; public reads name none.
    assert.equal(doc.components.securitySchemes.session.scheme, 'bearer');
    assert.deepEqual(doc.paths['/api/v1/me'].get.security, [{ session: [] }]);
    assert.deepEqual(doc.paths['/api/v1/episodes/{id}/danmu'].get.security, [{}, { session: [] }]);
    assert.equal(doc.paths['/api/v1/series'].get.security, undefined);
    assert.ok(doc.paths['/api/v1/me/blocks/{userId}'].put.responses['204']);
    assert.ok(doc.paths['/api/v1/auth/guest'].post.responses['429']);
    const limit = doc.paths['/api/v1/series'].get.parameters.find(
      (p: { name: string }) => p.name === 'limit',
    );
    assert.deepEqual([limit.schema.minimum, limit.schema.maximum], [1, 50]);
    const danmuLimit = doc.paths['/api/v1/episodes/{id}/danmu'].get.parameters.find(
      (p: { name: string }) => p.name === 'limit',
    );
    assert.deepEqual([danmuLimit.schema.minimum, danmuLimit.schema.maximum], [1, 1000]);
    const ui = await t.app.inject('/docs');
    assert.ok(ui.statusCode === 200 || ui.statusCode === 302, String(ui.statusCode));
  });

  test('/metrics exposes the request histogram by route', async () => {
    await t.app.inject('/api/v1/categories');
    await t.app.inject('/api/v1/series/abc');
    const response = await t.app.inject('/metrics');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.match(
      response.body,
      /http_request_duration_seconds_bucket\{le="[^"]+",route="\/api\/v1\/categories",method="GET",status="200"\}/,
    );
    assert.match(response.body, /route="\/api\/v1\/series\/:id",method="GET",status="400"/);
    assert.match(response.body, /process_cpu_user_seconds_total/);
  });
});
