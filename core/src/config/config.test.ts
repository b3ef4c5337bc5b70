import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'binge-config-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  test('defaults suit the embedded path', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.publicUrl, 'http://localhost:8080');
    assert.equal(config.dataDir, dataDir);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.meiliUrl, undefined);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.mediaTokenTtlSeconds, 6 * 3600);
    assert.equal(config.mediaEncryption, 'all');
    assert.equal(config.watermarkText, '');
    assert.equal(config.hlsSegmentSeconds, 2);
    assert.equal(config.demoSeed, true);
    assert.equal(config.mediaWorker, true);
    assert.equal(config.transcodeConcurrency, 1);
    assert.equal(config.shutdownGraceSeconds, 10);
    assert.equal(config.rankingsRefreshSeconds, 30);
    assert.ok(config.mediaSecret.length >= 32);
  });

  test('valid values are read, trimmed and typed', () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      PORT: ' 9000 ',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://u@db:5432/binge',
      REDIS_URL: 'redis://cache:6379',
      LOG_LEVEL: 'debug',
      DEMO_SEED: 'no',
      MEDIA_WORKER: 'TRUE',
      MEDIA_ENCRYPTION: 'paid',
      PUBLIC_URL: 'https://binge.example/',
      MEDIA_SECRET: 's'.repeat(32),
    });
    assert.equal(config.port, 9000);
    assert.equal(config.publicUrl, 'https://binge.example');
    assert.equal(config.databaseUrl, 'postgres://u@db:5432/binge');
    assert.equal(config.redisUrl, 'redis://cache:6379');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.demoSeed, false);
    assert.equal(config.mediaWorker, true);
    assert.equal(config.mediaEncryption, 'paid');
    assert.equal(config.mediaSecret, 's'.repeat(32));
    // An empty variable means "unset", not an invalid value.
    assert.equal(loadConfig({ DATA_DIR: dataDir, PORT: '' }).port, 8080);
  });

  const invalid: [string, string][] = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://cache'],
    ['MEILI_URL', 'ftp://search'],
    ['PUBLIC_URL', 'binge.example'],
    ['LOG_LEVEL', 'loud'],
    ['DEMO_SEED', 'maybe'],
    ['MEDIA_WORKER', '2'],
    ['MEDIA_SECRET', 'too-short'],
    ['MEDIA_ENCRYPTION', 'some'],
    ['MEDIA_TOKEN_TTL', '5'],
    ['HLS_SEGMENT_SECONDS', '0'],
    ['TRANSCODE_CONCURRENCY', '17'],
    ['SHUTDOWN_GRACE_SECONDS', 'soon'],
    ['RANKINGS_REFRESH_SECONDS', '-1'],
    ['RANKINGS_REFRESH_SECONDS', '3601'],
  ];
  for (const [variable, value] of invalid) {
    test(`${variable}=${JSON.stringify(value)} is refused with a ConfigError naming it`, () => {
      assert.throws(
        () => loadConfig({ DATA_DIR: dataDir, [variable]: value }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.variable, variable);
          assert.ok(error.message.includes(variable), error.message);
          return true;
        },
      );
    });
  }

  test('the generated media secret is kept in DATA_DIR and reused on the next load', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'binge-config-'));
    try {
      const nested = path.join(dir, 'not', 'yet', 'there');
      const first = loadConfig({ DATA_DIR: nested });
      const file = path.join(nested, 'media-secret');
      assert.equal((await readFile(file, 'utf8')).trim(), first.mediaSecret);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      const second = loadConfig({ DATA_DIR: nested });
      assert.equal(second.mediaSecret, first.mediaSecret);
      // A secret from the environment wins and is not written over the file.
      const third = loadConfig({ DATA_DIR: nested, MEDIA_SECRET: 'e'.repeat(40) });
      assert.equal(third.mediaSecret, 'e'.repeat(40));
      assert.equal((await readFile(file, 'utf8')).trim(), first.mediaSecret);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
