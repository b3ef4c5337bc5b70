import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCatalogClient } from './catalog-client.ts';
import { ApiProblem } from './api-problem.ts';

// A real HTTP server on port 0 standing in for the API's wire behaviour (status, content type,
// body), so the client is exercised through an actual fetch.
const seen: string[] = [];
const server = http.createServer((request, response) => {
  seen.push(request.url ?? '');
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/api/v1/categories') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        items: [{ id: 1, slug: 'romance', name: { en: 'Romance', zh: '爱情' }, seriesCount: 2 }],
      }),
    );
  } else if (url.pathname === '/api/v1/series') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ items: [], nextCursor: null }));
  } else if (url.pathname === '/api/v1/episodes/4/playback') {
    response.writeHead(402, { 'content-type': 'application/problem+json' });
    response.end(
      JSON.stringify({
        type: 'about:blank',
        title: 'Episode locked',
        status: 402,
        code: 'EPISODE_LOCKED',
      }),
    );
  } else if (url.pathname === '/api/v1/lists/hot') {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<html>oops</html>');
  } else {
    response.writeHead(502, { 'content-type': 'text/html' });
    response.end('<html>Bad gateway</html>');
  }
});
let base = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = () => createCatalogClient((input, init) => fetch(new URL(input, base), init));

test('reads a successful JSON answer', async () => {
  const { items } = await client().categories();
  assert.equal(items[0]?.slug, 'romance');
  assert.equal(items[0]?.name.zh, '爱情');
});

test('builds the series query string from the given parts only', async () => {
  await client().series({ category: 'romance', limit: 12, cursor: 'abc' });
  await client().series({});
  assert.ok(seen.includes('/api/v1/series?category=romance&limit=12&cursor=abc'));
  assert.ok(seen.includes('/api/v1/series'));
});

test('throws the problem of a problem+json answer', async () => {
  await assert.rejects(client().playback(4), (error: unknown) => {
    assert.ok(error instanceof ApiProblem);
    assert.equal(error.code, 'EPISODE_LOCKED');
    assert.equal(error.status, 402);
    return true;
  });
});

test('a non-JSON error page becomes HTTP_<status>', async () => {
  await assert.rejects(client().seriesDetail(99), (error: unknown) => {
    assert.ok(error instanceof ApiProblem);
    assert.equal(error.code, 'HTTP_502');
    return true;
  });
});

test('a 200 that is not JSON becomes BAD_RESPONSE', async () => {
  await assert.rejects(
    client().hotList(),
    (error: unknown) => error instanceof ApiProblem && error.code === 'BAD_RESPONSE',
  );
});

test('a refused connection becomes NETWORK_ERROR', async () => {
  const offline = createCatalogClient((input, init) =>
    fetch(new URL(input, 'http://127.0.0.1:1'), init),
  );
  await assert.rejects(
    offline.newList(),
    (error: unknown) => error instanceof ApiProblem && error.code === 'NETWORK_ERROR',
  );
});
