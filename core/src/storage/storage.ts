import type { Readable } from 'node:stream';

/**
 * Object storage for media: local disk now, an S3-compatible store later. Keys are relative,
 * '/'-separated paths; validateKey rejects anything that could leave the storage root.
 */
export interface StoredObject {
  size: number;
  mtimeMs: number;
  /** Strong validator for HTTP caching (RFC 9110 §8.8.3). */
  etag: string;
}

export interface ByteRange {
  /** Inclusive start and end offsets. */
  start: number;
  end: number;
}

export interface Storage {
  readonly kind: 'local' | 's3';
  put(key: string, body: Buffer | Readable): Promise<void>;
  /** Copies a local file into the store. */
  putFile(key: string, filePath: string): Promise<void>;
  stat(key: string): Promise<StoredObject | null>;
  read(key: string, range?: ByteRange): Readable;
  readBuffer(key: string): Promise<Buffer>;
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
  /** A local filesystem path for the key when the adapter has one (ffmpeg input), else null. */
  localPath(key: string): string | null;
}

export class InvalidStorageKeyError extends Error {
  constructor(readonly key: string) {
    super(`Invalid storage key: ${JSON.stringify(key)}`);
    this.name = 'InvalidStorageKeyError';
  }
}

/**
 * Accepts `a/b/c.ts`-style keys: no empty, `.` or `..` segment, no leading slash, no backslash,
 * no NUL or other control character. Applied to already-percent-decoded keys.
 */
export function validateKey(key: string): string {
  if (
    key.length === 0 ||
    key.length > 1024 ||
    key.startsWith('/') ||
    key.includes('\\') ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/.test(key) ||
    key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')
  ) {
    throw new InvalidStorageKeyError(key);
  }
  return key;
}
