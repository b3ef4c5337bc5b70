import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../config/config.ts';
import { textFilterFromConfig } from './configured-filter.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'binge-filter-'));
const comment = { kind: 'comment' as const, userId: 1 };
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('unset BLOCKED_WORDS_FILE: the shipped lexicon, masking by default', async () => {
  const filter = textFilterFromConfig(loadConfig({ DATA_DIR: dataDir }));
  assert.deepEqual(await filter('你个傻逼', comment), { ok: true, text: '你个**' });
  assert.deepEqual(await filter('傻逼', { kind: 'name', userId: 1 }), {
    ok: false,
    reason: 'blocked word',
  });
});

test('BLOCKED_WORDS_MODE=reject refuses the public kinds and still masks DMs', async () => {
  const filter = textFilterFromConfig(
    loadConfig({ DATA_DIR: dataDir, BLOCKED_WORDS_MODE: 'reject' }),
  );
  assert.equal((await filter('你个傻逼', comment)).ok, false);
  assert.deepEqual(await filter('你个傻逼', { kind: 'dm', userId: 1 }), {
    ok: true,
    text: '你个**',
  });
});

test('BLOCKED_WORDS_FILE=none turns the filter off', async () => {
  const filter = textFilterFromConfig(
    loadConfig({ DATA_DIR: dataDir, BLOCKED_WORDS_FILE: 'none' }),
  );
  assert.deepEqual(await filter('你个傻逼', comment), { ok: true, text: '你个傻逼' });
  assert.equal((await filter('傻逼', { kind: 'name', userId: 1 })).ok, true);
});

test('BLOCKED_WORDS_FILE names a house list instead of the shipped one', async () => {
  const file = path.join(dataDir, 'house.txt');
  writeFileSync(file, '# ours\nspoiler\n');
  const filter = textFilterFromConfig(loadConfig({ DATA_DIR: dataDir, BLOCKED_WORDS_FILE: file }));
  assert.deepEqual(await filter('no spoiler, 傻逼', comment), {
    ok: true,
    text: 'no *******, 傻逼',
  });
});

test('a file that cannot be read stops the start with a ConfigError naming the variable', () => {
  const config = loadConfig({
    DATA_DIR: dataDir,
    BLOCKED_WORDS_FILE: path.join(dataDir, 'missing.txt'),
  });
  assert.throws(
    () => textFilterFromConfig(config),
    (error: unknown) => error instanceof ConfigError && error.variable === 'BLOCKED_WORDS_FILE',
  );
});
