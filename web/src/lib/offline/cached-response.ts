import { parseByteRange } from './byte-range.ts';

/** The headers a stored media response keeps; cache lifetimes tied to the old token are dropped. */
const keptHeaders = ['content-type', 'etag', 'last-modified'];

export function storableHeaders(from: Headers, bytes: number): Headers {
  const headers = new Headers();
  for (const name of keptHeaders) {
    const value = from.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set('content-length', String(bytes));
  return headers;
}

/**
 * The answer to a page's request from a stored response. It is always a new Response: one taken
 * straight from the cache carries the URL it was first fetched with, and the player would then
 * resolve the playlist's relative URIs against that URL and its expired token. A Range request
 * gets its slice as 206 (RFC 9110 §14.4), or 416 outside the body.
 */
export async function answerFromCache(
  stored: Response,
  rangeHeader: string | null,
): Promise<Response> {
  const body = await stored.arrayBuffer();
  const headers = new Headers(stored.headers);
  headers.set('accept-ranges', 'bytes');
  headers.set('x-binge-offline', 'hit');
  const range = parseByteRange(rangeHeader, body.byteLength);
  if (range === 'unsatisfiable') {
    headers.set('content-range', `bytes */${body.byteLength}`);
    headers.delete('content-length');
    return new Response(null, { status: 416, headers });
  }
  if (range === null) {
    headers.set('content-length', String(body.byteLength));
    return new Response(body, { status: 200, headers });
  }
  headers.set('content-range', `bytes ${range.start}-${range.end}/${body.byteLength}`);
  headers.set('content-length', String(range.end - range.start + 1));
  return new Response(body.slice(range.start, range.end + 1), { status: 206, headers });
}

/**
 * Whether a network response may be stored: a complete 200 of a CORS or same-origin request.
 * A 206 holds part of a body, an opaque response hides its status, and errors are not content.
 */
export function isStorable(response: Response): boolean {
  return (
    response.status === 200 &&
    (response.type === 'basic' || response.type === 'cors' || response.type === 'default')
  );
}
