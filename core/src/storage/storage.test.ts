import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { storageContract } from './storage.contract.ts';
import { createLocalStorage } from './storage-local.ts';
import { InvalidStorageKeyError } from './storage.ts';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => path.join(entry.parentPath, entry.name) + (entry.isDirectory() ? '/' : ''))
    .sort();
}

storageContract('local', async () => {
  // The root sits one level down, so a key escaping it would land in `parent` and be seen.
  const parent = await mkdtemp(path.join(tmpdir(), 'binge-storage-'));
  const root = path.join(parent, 'root');
  return {
    storage: createLocalStorage(root),
    snapshot: () => filesUnder(parent),
    cleanup: () => rm(parent, { recursive: true, force: true }),
  };
});

test('local storage: localPath is absolute and inside the root', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'binge-storage-'));
  try {
    const storage = createLocalStorage(root);
    await storage.put('a/b.txt', Buffer.from('x'));
    const file = storage.localPath('a/b.txt');
    assert.equal(file, path.join(root, 'a', 'b.txt'));
    assert.equal((await stat(file)).size, 1);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('local storage: in-flight temporary files are never listed nor addressable', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'binge-storage-'));
  try {
    const storage = createLocalStorage(root);
    await storage.put('dir/real.txt', Buffer.from('x'));
    await writeFile(path.join(root, 'dir', '.binge-tmp-real.txt-abc'), 'half');
    assert.deepEqual(await storage.list('dir/'), ['dir/real.txt']);
    await assert.rejects(storage.stat('dir/.binge-tmp-real.txt-abc'), InvalidStorageKeyError);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('local storage: a key through a symlink-free sibling prefix cannot escape', async () => {
  // `root-evil` starts with the root's path but is outside it: the startsWith check uses root + sep.
  const parent = await mkdtemp(path.join(tmpdir(), 'binge-storage-'));
  try {
    const storage = createLocalStorage(path.join(parent, 'root'));
    await assert.rejects(storage.put('../root-evil/x', Buffer.from('x')), InvalidStorageKeyError);
    assert.deepEqual(await readdir(parent), []);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});
