import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import {
  copyFile,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  InvalidStorageKeyError,
  validateKey,
  type ByteRange,
  type Storage,
  type StoredObject,
} from './storage.ts';

/**
 * Read chunk size. A 2-second 720p segment is ~0.5 MB: with fs's 64 KB default that is eight
 * thread-pool reads and eight socket writes per request; 512 KB makes it one or two.
 */
const READ_CHUNK_BYTES = 512 * 1024;

/**
 * Temporary files of in-flight writes start with this; list() hides them and keys whose segment
 * starts with it are refused, so a half-written object can never be listed or addressed.
 */
const tempPrefix = '.binge-tmp-';

export class InvalidByteRangeError extends Error {
  readonly code = 'INVALID_BYTE_RANGE';
  constructor(readonly range: ByteRange) {
    super(`Invalid byte range: ${JSON.stringify(range)}`);
    this.name = 'InvalidByteRangeError';
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Media on local disk under `rootDir`. Writes go to a temporary file in the target directory and
 * are renamed into place (rename(2) is atomic within one filesystem), so readers see either the
 * old object or the whole new one.
 */
export function createLocalStorage(rootDir: string): Storage {
  const root = path.resolve(rootDir);

  /** Validates the key and maps it to a path that is checked, again, to stay inside root. */
  function resolveKey(key: string): string {
    validateKey(key);
    if (key.split('/').some((segment) => segment.startsWith(tempPrefix))) {
      throw new InvalidStorageKeyError(key);
    }
    const resolved = path.resolve(root, key);
    if (!resolved.startsWith(root + path.sep)) throw new InvalidStorageKeyError(key);
    return resolved;
  }

  /** A prefix is a key, optionally with one trailing '/'; the empty prefix means the whole store. */
  function resolvePrefix(prefix: string, allowEmpty: boolean): string {
    if (prefix === '' && allowEmpty) return root;
    const bare = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    if (bare === '') throw new InvalidStorageKeyError(prefix);
    try {
      return resolveKey(bare);
    } catch (error) {
      if (error instanceof InvalidStorageKeyError) throw new InvalidStorageKeyError(prefix);
      throw error;
    }
  }

  function tempPathFor(target: string): string {
    return path.join(
      path.dirname(target),
      `${tempPrefix}${path.basename(target)}-${randomBytes(6).toString('hex')}`,
    );
  }

  /** Writes via `write(tempPath)`, flushes it to disk and renames it over the target. */
  async function writeAtomically(
    key: string,
    write: (tempPath: string) => Promise<void>,
  ): Promise<void> {
    const target = resolveKey(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = tempPathFor(target);
    try {
      await write(temp);
      // fsync before rename: otherwise a crash can leave the new name pointing at empty blocks.
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async function walk(dir: string, prefixKey: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(tempPrefix)) continue;
      const key = prefixKey === '' ? entry.name : `${prefixKey}/${entry.name}`;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), key, out);
      else if (entry.isFile()) out.push(key);
    }
  }

  return {
    kind: 'local',

    async put(key: string, body: Buffer | Readable): Promise<void> {
      await writeAtomically(key, async (temp) => {
        if (Buffer.isBuffer(body)) await writeFile(temp, body, { flag: 'wx' });
        else await pipeline(body, createWriteStream(temp, { flags: 'wx' }));
      });
    },

    async putFile(key: string, filePath: string): Promise<void> {
      await writeAtomically(key, (temp) => copyFile(filePath, temp));
    },

    async stat(key: string): Promise<StoredObject | null> {
      const file = resolveKey(key);
      let info;
      try {
        info = await stat(file, { bigint: true });
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
      if (!info.isFile()) return null;
      // Size, nanosecond mtime and inode: every put renames a new inode into place, so the
      // validator changes on each write even within one clock tick (strong etag, RFC 9110 §8.8.3).
      const etag = `"${info.size.toString(16)}-${info.mtimeNs.toString(16)}-${info.ino.toString(16)}"`;
      return { size: Number(info.size), mtimeMs: Number(info.mtimeMs), etag };
    },

    read(key: string, range?: ByteRange): Readable {
      const file = resolveKey(key);
      if (range === undefined) return createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
      if (
        !Number.isSafeInteger(range.start) ||
        !Number.isSafeInteger(range.end) ||
        range.start < 0 ||
        range.end < range.start
      ) {
        throw new InvalidByteRangeError(range);
      }
      return createReadStream(file, {
        start: range.start,
        end: range.end,
        highWaterMark: READ_CHUNK_BYTES,
      });
    },

    async readBuffer(key: string): Promise<Buffer> {
      return readFile(resolveKey(key));
    },

    async list(prefix: string): Promise<string[]> {
      // S3 semantics: a plain string prefix. Walk the deepest directory the prefix names fully,
      // then keep the keys that start with the prefix.
      const slash = prefix.lastIndexOf('/');
      const dirKey = slash === -1 ? '' : prefix.slice(0, slash);
      if (prefix !== '') resolvePrefix(prefix, false);
      const dir = dirKey === '' ? root : resolveKey(dirKey);
      const keys: string[] = [];
      await walk(dir, dirKey, keys);
      return keys.filter((key) => key.startsWith(prefix)).sort();
    },

    async delete(key: string): Promise<void> {
      try {
        await unlink(resolveKey(key));
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
    },

    async deletePrefix(prefix: string): Promise<void> {
      await rm(resolvePrefix(prefix, false), { recursive: true, force: true });
    },

    localPath(key: string): string | null {
      return resolveKey(key);
    },
  };
}
