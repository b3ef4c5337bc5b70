import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import parseRange from 'range-parser';
import { InvalidStorageKeyError, type ByteRange, type Storage } from '@binge/core/storage';
import { AppError } from '../errors/app-error.ts';
import type { MediaCache } from './media-cache.ts';
import { etagMatches, mediaCacheControl, mediaContentType } from './media-headers.ts';
import { parseMediaPath } from './media-path.ts';
import { verifyMediaToken } from './media-token.ts';

export interface MediaRoutesOptions {
  storage: Storage;
  secret: string;
  /** Hot small objects served from memory; everything is streamed from storage without it. */
  cache?: MediaCache;
  /** Unix seconds; injectable so expiry can be tested without waiting. */
  nowSeconds?: () => number;
}

const MEDIA_PREFIX = '/media/';

/**
 * The signed media server: `GET|HEAD /media/<token>/<storage key>`. It is the origin a CDN pulls
 * from, so it answers conditional and Range requests (RFC 9110 §13, §14) and sets cache headers
 * bounded by the token's expiry.
 */
export async function mediaRoutes(app: FastifyInstance, options: MediaRoutesOptions) {
  const { storage, secret } = options;
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));

  async function serve(request: FastifyRequest, reply: FastifyReply) {
    // The raw URL, not the router's decoded wildcard: decoding is ours to do, segment by segment.
    const url = request.raw.url ?? '';
    const query = url.indexOf('?');
    const media = parseMediaPath(query === -1 ? url : url.slice(0, query), MEDIA_PREFIX);
    if (media === null) throw new AppError('MEDIA_PATH_INVALID');

    const now = nowSeconds();
    const verdict = verifyMediaToken(secret, media.token, media.key, now);
    if (verdict === 'invalid') throw new AppError('MEDIA_TOKEN_INVALID');
    if (verdict === 'expired') throw new AppError('MEDIA_TOKEN_EXPIRED');

    let object;
    try {
      object = await storage.stat(media.key);
    } catch (error) {
      if (error instanceof InvalidStorageKeyError) throw new AppError('MEDIA_PATH_INVALID');
      throw error;
    }
    if (object === null) throw new AppError('MEDIA_NOT_FOUND');

    const lastModified = new Date(Math.floor(object.mtimeMs / 1000) * 1000);
    const exp = Number(media.token.slice(0, media.token.indexOf('.')));
    reply.headers({
      'content-type': mediaContentType(media.key),
      'accept-ranges': 'bytes',
      etag: object.etag,
      'last-modified': lastModified.toUTCString(),
      'cache-control': mediaCacheControl(media.key, exp, now),
    });

    // RFC 9110 §13.1.2/§13.1.3: If-None-Match wins over If-Modified-Since when both are sent.
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch !== undefined) {
      if (etagMatches(ifNoneMatch, object.etag)) return reply.code(304).send();
    } else {
      const ifModifiedSince = request.headers['if-modified-since'];
      if (ifModifiedSince !== undefined) {
        const since = Date.parse(ifModifiedSince);
        if (!Number.isNaN(since) && lastModified.getTime() <= since) return reply.code(304).send();
      }
    }

    let range: ByteRange | undefined;
    const rangeHeader = request.headers.range;
    if (
      rangeHeader !== undefined &&
      request.method === 'GET' &&
      ifRangeHolds(request, object.etag, lastModified)
    ) {
      const ranges = parseRange(object.size, rangeHeader, { combine: true });
      if (ranges === -1) {
        throw new AppError('RANGE_NOT_SATISFIABLE', `The file has ${object.size} bytes`, {
          'content-range': `bytes */${object.size}`,
        });
      }
      // -2 (malformed) and non-byte units are ignored, as RFC 9110 §14.2 allows; several
      // ranges are answered with the whole file rather than multipart/byteranges.
      if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
        range = ranges[0]!;
        reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${object.size}`);
      }
    }

    const length = range === undefined ? object.size : range.end - range.start + 1;
    reply.header('content-length', length);
    if (request.method === 'HEAD' || length === 0) return reply.send();
    const cache = options.cache;
    if (cache && object.size <= cache.maxObjectBytes) {
      let body = cache.get(media.key, object.etag);
      if (body === null) {
        body = await storage.readBuffer(media.key);
        // A file replaced between stat and read must not be cached under the old validator.
        if (body.length !== object.size) return reply.send(storage.read(media.key, range));
        cache.set(media.key, object.etag, body);
      }
      return reply.send(range === undefined ? body : body.subarray(range.start, range.end + 1));
    }
    return reply.send(storage.read(media.key, range));
  }

  app.route({
    method: ['GET', 'HEAD'],
    url: `${MEDIA_PREFIX}*`,
    exposeHeadRoute: false,
    schema: {
      summary: 'Signed media file (HLS playlists and segments, posters, sprites)',
      description:
        'URL shape `/media/<exp>.<depth>.<sig>/<storage key>`, as handed out by playback info. ' +
        'Supports single byte ranges, ETag/If-None-Match and If-Modified-Since. Errors: ' +
        'MEDIA_PATH_INVALID, MEDIA_TOKEN_INVALID, MEDIA_TOKEN_EXPIRED, MEDIA_NOT_FOUND, ' +
        'RANGE_NOT_SATISFIABLE.',
      tags: ['media'],
    },
    handler: serve,
  });
}

/** RFC 9110 §13.1.5: a Range applies only while If-Range still matches (strong comparison). */
function ifRangeHolds(request: FastifyRequest, etag: string, lastModified: Date): boolean {
  const ifRange = request.headers['if-range'];
  if (ifRange === undefined) return true;
  if (typeof ifRange !== 'string') return false;
  if (ifRange.startsWith('"')) return ifRange === etag;
  if (ifRange.startsWith('W/')) return false;
  const date = Date.parse(ifRange);
  return !Number.isNaN(date) && lastModified.getTime() <= date;
}
