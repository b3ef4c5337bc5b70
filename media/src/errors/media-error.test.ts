import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MediaError, mediaErrorCodes } from './media-error.ts';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [full] : [];
  });
}

test('every code has a description and the message carries the code', () => {
  for (const [code, description] of Object.entries(mediaErrorCodes)) {
    assert.ok(description.length > 10, code);
  }
  const error = new MediaError('MEDIA_SOURCE_INVALID', 'not media');
  assert.equal(error.code, 'MEDIA_SOURCE_INVALID');
  assert.equal(error.message, 'MEDIA_SOURCE_INVALID: not media');
});

test('every code thrown in the package is registered', () => {
  const used = new Set<string>();
  for (const file of sources(srcDir)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/new MediaError\(\s*'([A-Z_]+)'/g)) {
      used.add(match[1]!);
    }
  }
  assert.ok(used.size > 3);
  for (const code of used) assert.ok(code in mediaErrorCodes, `${code} is not registered`);
});
