import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { escapeFilterValue } from './filter-escape.ts';

test('plain paths pass unchanged; specials are escaped twice', () => {
  assert.equal(escapeFilterValue('/tmp/a/b.txt'), '/tmp/a/b.txt');
  assert.equal(escapeFilterValue('a:b'), String.raw`a\\:b`);
  assert.equal(escapeFilterValue("it's"), String.raw`it\\\'s`);
  assert.equal(escapeFilterValue('x,y'), 'x\\,y');
});

test('ffmpeg reads a textfile whose path has every special character', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'binge-escape-'));
  try {
    const weird = path.join(dir, "a:b,c;d[e]f'g");
    writeFileSync(weird, 'hello');
    const result = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=black:s=64x64:d=0.1',
      '-filter_complex',
      `[0:v]drawtext=textfile=${escapeFilterValue(weird)}:fontcolor=white[v]`,
      '-map',
      '[v]',
      '-f',
      'null',
      '-',
    ]);
    assert.equal(result.status, 0, result.stderr.toString());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
