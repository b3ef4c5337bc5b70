import { InvalidStorageKeyError, validateKey } from '@binge/core/storage';

export interface MediaPath {
  token: string;
  key: string;
}

/**
 * Splits a raw request path `/media/<token>/<key...>` (query already removed) into the token and
 * the decoded storage key, or returns null when the key is not one that storage may be asked for.
 *
 * Decoding happens per segment, after splitting on '/', and an encoded '/' or '\' inside a
 * segment is refused outright: otherwise `a%2F..%2Fb` would turn into new segments after the
 * traversal check. The decoded key then goes through core's validateKey (no `.`/`..`/empty
 * segments, no backslash, no control characters, no leading slash).
 */
export function parseMediaPath(rawPath: string, prefix = '/media/'): MediaPath | null {
  if (!rawPath.startsWith(prefix)) return null;
  const rest = rawPath.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const token = rest.slice(0, slash);
  const encodedKey = rest.slice(slash + 1);
  let key = encodedKey;
  if (encodedKey.includes('%')) {
    if (/%(2f|5c|00)/i.test(encodedKey)) return null;
    try {
      key = decodeURIComponent(encodedKey);
    } catch {
      return null;
    }
  }
  try {
    validateKey(key);
  } catch (error) {
    if (error instanceof InvalidStorageKeyError) return null;
    throw error;
  }
  return { token, key };
}
