import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { signMediaToken } from './media-token.ts';
import { openTestApp, writeAssetFiles, type TestApp } from '../testing/test-app.ts';
import { TEST_MEDIA_SECRET } from '../testing/test-app.ts';

const prefix = 'episodes/7/70';
const now = 1_800_000_000;
const exp = now + 3600;
const token = signMediaToken(TEST_MEDIA_SECRET, prefix, exp);
const url = (key: string, tok = token) => `/media/${tok}/${key}`;

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request with the path sent byte for byte (fetch and inject would normalise `..`). */
function raw(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<RawResponse>((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

function assertProblem(response: RawResponse, status: number, code: string) {
  assert.equal(response.status, status, response.body.toString());
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  assert.equal(JSON.parse(response.body.toString()).code, code);
  assert.equal(response.headers['cache-control'], 'no-store');
}

// The same behaviour whether an object is streamed from storage or served from the memory cache.
for (const variant of [
  { name: 'streamed from storage', env: { MEDIA_CACHE_MB: '0' } },
  { name: 'served from the memory cache', env: { MEDIA_CACHE_MB: '64' } },
])
  describe(`media server, ${variant.name}`, () => {
    let t: TestApp;
    let port: number;
    let segment: Buffer;

    before(async () => {
      t = await openTestApp('pglite', { env: variant.env }, { nowSeconds: () => now });
      ({ segment } = await writeAssetFiles(t.storage, prefix));
      await t.storage.put('episodes/7/71/360p/seg-00000.ts', Buffer.from('other asset'));
      await t.storage.put('secret.txt', Buffer.from('outside every scope'));
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      port = (t.app.server.address() as AddressInfo).port;
    });
    after(() => t.close());

    test('serves a segment whole, with CDN-fit headers', async () => {
      const response = await raw(port, url(`${prefix}/360p/seg-00000.ts`));
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, segment);
      assert.equal(response.headers['content-type'], 'video/mp2t');
      assert.equal(response.headers['content-length'], String(segment.length));
      assert.equal(response.headers['accept-ranges'], 'bytes');
      assert.equal(response.headers['cache-control'], 'public, max-age=3600, immutable');
      assert.match(String(response.headers.etag), /^"[^"]+"$/);
      assert.ok(response.headers['last-modified']);
    });

    test('playlists get a short cache life and their content type', async () => {
      const response = await raw(port, url(`${prefix}/master.m3u8`));
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-type'], 'application/vnd.apple.mpegurl');
      assert.equal(response.headers['cache-control'], 'public, max-age=60');
      assert.equal(
        (await raw(port, url(`${prefix}/sprite.vtt`))).headers['content-type'],
        'text/vtt; charset=utf-8',
      );
    });

    test('single byte ranges are answered with 206 and Content-Range', async () => {
      const key = url(`${prefix}/360p/seg-00000.ts`);
      const first = await raw(port, key, { range: 'bytes=0-99' });
      assert.equal(first.status, 206);
      assert.equal(first.headers['content-range'], `bytes 0-99/${segment.length}`);
      assert.equal(first.headers['content-length'], '100');
      assert.deepEqual(first.body, segment.subarray(0, 100));
      const suffix = await raw(port, key, { range: 'bytes=-10' });
      assert.deepEqual(suffix.body, segment.subarray(segment.length - 10));
      const open = await raw(port, key, { range: 'bytes=990-' });
      assert.equal(open.headers['content-range'], `bytes 990-999/${segment.length}`);
      const clamped = await raw(port, key, { range: 'bytes=900-5000' });
      assert.equal(clamped.headers['content-range'], `bytes 900-999/${segment.length}`);
    });

    test('unsatisfiable ranges are 416 with the size; malformed or multiple ranges get the whole file', async () => {
      const key = url(`${prefix}/360p/seg-00000.ts`);
      for (const range of ['bytes=999999-', 'bytes=5-2', 'bytes=1000-1000']) {
        const response = await raw(port, key, { range });
        assertProblem(response, 416, 'RANGE_NOT_SATISFIABLE');
        assert.equal(response.headers['content-range'], `bytes */${segment.length}`);
      }
      for (const range of ['bytes=abc', 'bytes=', 'lines=0-5', 'bytes=0-1,5-6', 'bytes=--1']) {
        const response = await raw(port, key, { range });
        assert.equal(response.status, 200, range);
        assert.equal(response.body.length, segment.length, range);
      }
      // A stale If-Range means the client's partial copy is outdated: send it all.
      const stale = await raw(port, key, { range: 'bytes=0-9', 'if-range': '"stale"' });
      assert.equal(stale.status, 200);
    });

    test('conditional requests get 304', async () => {
      const key = url(`${prefix}/360p/seg-00000.ts`);
      const first = await raw(port, key);
      const etag = String(first.headers.etag);
      const notModified = await raw(port, key, { 'if-none-match': etag });
      assert.equal(notModified.status, 304);
      assert.equal(notModified.body.length, 0);
      assert.equal((await raw(port, key, { 'if-none-match': '"other"' })).status, 200);
      assert.equal(
        (await raw(port, key, { 'if-modified-since': String(first.headers['last-modified']) }))
          .status,
        304,
      );
      const matchingRange = await raw(port, key, { range: 'bytes=0-9', 'if-range': etag });
      assert.equal(matchingRange.status, 206);
    });

    test('HEAD answers headers without a body', async () => {
      const response = await raw(port, url(`${prefix}/360p/seg-00000.ts`), {}, 'HEAD');
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-length'], String(segment.length));
      assert.equal(response.body.length, 0);
    });

    test('tampered, expired and other-path tokens are refused', async () => {
      const key = `${prefix}/360p/seg-00000.ts`;
      const [e, d, sig] = token.split('.') as [string, string, string];
      const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
      for (const bad of [
        `${e}.${d}.${flipped}`,
        `${Number(e) + 300}.${d}.${sig}`,
        `${e}.2.${sig}`,
        'garbage',
        `${e}.${d}`,
      ])
        assertProblem(await raw(port, url(key, bad)), 403, 'MEDIA_TOKEN_INVALID');
      assertProblem(
        await raw(port, url('episodes/7/71/360p/seg-00000.ts')),
        403,
        'MEDIA_TOKEN_INVALID',
      );
      assertProblem(await raw(port, url('secret.txt')), 403, 'MEDIA_TOKEN_INVALID');
      const expired = signMediaToken(TEST_MEDIA_SECRET, prefix, now - 1);
      assertProblem(await raw(port, url(key, expired)), 403, 'MEDIA_TOKEN_EXPIRED');
    });

    test('traversal and ambiguous paths are MEDIA_PATH_INVALID', async () => {
      for (const path of [
        url(`${prefix}/../71/360p/seg-00000.ts`),
        url(`${prefix}/../../../secret.txt`),
        url(`${prefix}/%2e%2e/%2e%2e/%2e%2e/secret.txt`),
        url(`${prefix}/%2E%2E/71/360p/seg-00000.ts`),
        url(`${prefix}/360p%2F..%2F..%2F71/360p/seg-00000.ts`),
        url(`${prefix}/360p%2fseg-00000.ts`),
        url(`${prefix}\\..\\..\\secret.txt`),
        url(`${prefix}/360p/seg%5C00000.ts`),
        url(`${prefix}/360p/seg-00000.ts%00.jpg`),
        url(`${prefix}//360p/seg-00000.ts`),
        `/media/${token}//etc/passwd`,
        `/media/${token}/%2Fetc/passwd`,
        url(`${prefix}/360p/%ZZ.ts`),
        url(`${prefix}/./master.m3u8`),
      ])
        assertProblem(await raw(port, path), 400, 'MEDIA_PATH_INVALID');
    });

    test('an object overwritten in storage is served fresh, never a stale copy', async () => {
      const key = `${prefix}/360p/seg-09999.ts`;
      await t.storage.put(key, Buffer.from('first version'));
      assert.equal((await raw(port, url(key))).body.toString(), 'first version');
      await t.storage.put(key, Buffer.from('second, longer version'));
      const fresh = await raw(port, url(key));
      assert.equal(fresh.body.toString(), 'second, longer version');
      const ranged = await raw(port, url(key), { range: 'bytes=0-5' });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.body.toString(), 'second');
    });

    test('a valid token for a missing file is MEDIA_NOT_FOUND', async () => {
      assertProblem(await raw(port, url(`${prefix}/360p/seg-99999.ts`)), 404, 'MEDIA_NOT_FOUND');
    });

    test('percent-encoded characters inside a segment are decoded', async () => {
      await t.storage.put(`${prefix}/a b.jpg`, Buffer.from('x'));
      const response = await raw(port, url(`${prefix}/a%20b.jpg`));
      assert.equal(response.status, 200);
      assert.equal(response.body.toString(), 'x');
    });

    test('methods other than GET and HEAD are 405 with Allow', async () => {
      const response = await raw(port, url(`${prefix}/master.m3u8`), {}, 'DELETE');
      assertProblem(response, 405, 'METHOD_NOT_ALLOWED');
      assert.equal(response.headers.allow, 'GET, HEAD');
    });
  });
