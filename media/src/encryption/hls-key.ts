import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** An AES-128 content key for one asset, as HLS uses it (RFC 8216 §5.2). */
export interface HlsKey {
  key: Buffer;
  iv: Buffer;
  /** What players fetch; the API answers it after an entitlement check. */
  uri: string;
  /** The `-hls_key_info_file` for ffmpeg. */
  keyInfoFile: string;
}

export function keyUri(episodeId: number, assetId: number): string {
  return `/api/v1/episodes/${episodeId}/keys/${assetId}`;
}

/**
 * Writes the key and ffmpeg's key info file (URI, key path, IV on three lines) into `dir`, which
 * must be private to the job and outside the upload directory: the key is stored in the database
 * only, never beside the segments.
 */
export async function createHlsKey(dir: string, uri: string): Promise<HlsKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = randomBytes(16);
  const iv = randomBytes(16);
  const keyFile = path.join(dir, 'content.key');
  const keyInfoFile = path.join(dir, 'content.keyinfo');
  await writeFile(keyFile, key, { mode: 0o600 });
  await writeFile(keyInfoFile, `${uri}\n${keyFile}\n${iv.toString('hex')}\n`, { mode: 0o600 });
  return { key, iv, uri, keyInfoFile };
}
