import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSimArgs, SIM_DEFAULTS, UsageError } from './sim-args.ts';

const cli = fileURLToPath(new URL('./sim-cli.ts', import.meta.url));

function run(...args: string[]) {
  const out = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr.trim() };
}

test('flags parse with defaults, and a bad flag is a usage error naming it', () => {
  assert.deepEqual(parseSimArgs([]), {
    ...SIM_DEFAULTS,
    json: false,
    videos: null,
    help: false,
  });
  assert.deepEqual(
    parseSimArgs([
      '--users',
      '20',
      '--sessions',
      '2',
      '--warmup',
      '1',
      '--seed',
      '9',
      '--epsilon',
      '0.1',
      '--json',
    ]),
    {
      users: 20,
      sessions: 2,
      warmup: 1,
      seed: 9,
      epsilon: 0.1,
      json: true,
      videos: null,
      help: false,
    },
  );
  const refuses = (argv: string[], reason: RegExp) =>
    assert.throws(
      () => parseSimArgs(argv),
      (error: unknown) =>
        error instanceof UsageError && error.code === 'SIM_USAGE' && reason.test(error.message),
      argv.join(' '),
    );
  refuses(['--users', '0'], /--users must be a whole number from 1 to 100000, got "0"/);
  refuses(['--users', '2.5'], /--users must be a whole number/);
  refuses(['--sessions', 'many'], /--sessions must be a whole number/);
  refuses(['--seed', '-1'], /--seed/);
  refuses(['--epsilon', '1.5'], /--epsilon must be a share from 0 to 1/);
  refuses(['--epsilon', 'NaN'], /--epsilon must be a share/);
  refuses(['--videos', ''], /--videos needs a file/);
  refuses(['--fast'], /Unknown option '--fast'/);
  refuses(['extra'], /positional argument/);
  refuses(['--users'], /--users/);
});

test('the command exits 2 with one line on a bad flag or catalog, and prints JSON on request', () => {
  const badFlag = run('--users', 'lots');
  assert.equal(badFlag.status, 2);
  assert.equal(badFlag.stderr.split('\n').length, 1);
  assert.match(badFlag.stderr, /^ranker:sim: --users must be a whole number/);
  assert.equal(badFlag.stdout, '');

  const dir = mkdtempSync(path.join(tmpdir(), 'ranker-sim-'));
  try {
    const noColumns = path.join(dir, 'videos.csv');
    writeFileSync(noColumns, 'video_id,author_id\n1,2\n');
    const badCatalog = run('--videos', noColumns);
    assert.equal(badCatalog.status, 2);
    assert.equal(
      badCatalog.stderr,
      `ranker:sim: ${noColumns}: missing columns video_duration, tag`,
    );
    const missing = run('--videos', path.join(dir, 'absent.csv'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /absent\.csv: cannot read \(ENOENT\)$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const ok = run('--users', '20', '--sessions', '1', '--warmup', '2', '--seed', '3', '--json');
  assert.equal(ok.status, 0, ok.stderr);
  const report = JSON.parse(ok.stdout) as { users: number; policies: { policy: string }[] };
  assert.equal(report.users, 20);
  assert.deepEqual(
    report.policies.map((p) => p.policy),
    ['random', 'popularity', 'co-watch', 'model'],
  );
});
