import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseEvalArgs } from './eval-args.ts';
import { evaluate, formatReport, type EvalReport } from './evaluate.ts';
import { loadLogs, loadUsers, loadVideos } from './kuairand.ts';

const data = (name: string) =>
  fileURLToPath(new URL(`../../datasets/kuairand/${name}`, import.meta.url));
const LOG = data('log_random_1k_part.csv');
const VIDEOS = data('video_features_basic_pure.csv');
const USERS = data('user_features_pure.csv');
const cli = fileURLToPath(new URL('./eval-cli.ts', import.meta.url));

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', cli, ...args],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('the command runs on the shipped KuaiRand log and reports the three rankers', async () => {
  const result = await run([
    '--log',
    LOG,
    '--videos',
    VIDEOS,
    '--users',
    USERS,
    '--epochs',
    '3',
    '--max-train-rows',
    '5000',
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const report = JSON.parse(result.stdout) as EvalReport;
  assert.equal(report.rows.total, 8240);
  assert.equal(report.rows.train + report.rows.test, 8240);
  assert.ok(report.rows.train >= 0.8 * 8240 - 50 && report.rows.train <= 0.8 * 8240);
  assert.equal(report.users.total, 197);
  assert.equal(report.model.epochs, 3);
  assert.equal(report.rows.trainSample, 5000);
  assert.ok(report.model.features.includes('user_active_degree'), 'users file features used');
  assert.deepEqual(
    report.rankers.map((r) => r.name),
    ['model', 'popularity', 'co-watch', 'random'],
  );
  for (const ranker of report.rankers) {
    for (const value of [ranker.auc, ranker.ndcg, ranker.watchRatioTop])
      assert.ok(Number.isFinite(value) && value > 0, `${ranker.name}: ${value}`);
    assert.ok(ranker.auc < 1 && ranker.ndcg <= 1);
  }
  assert.equal(report.users.ndcg + report.users.ndcgExcluded, report.users.test);
});

test('bad input ends with exit code 2 and one line on stderr', async () => {
  const cases: [string[], RegExp][] = [
    [
      ['--log', data('kuairand_sample.csv'), '--videos', VIDEOS],
      /kuairand_sample\.csv: not a KuaiRand interaction log file, missing columns time_ms, long_view/,
    ],
    [['--log', LOG, '--videos', VIDEOS, '--frobnicate'], /Unknown option '--frobnicate'/],
    [['--log', LOG, '--videos', '/nonexistent/videos.csv'], /\/nonexistent\/videos\.csv: no such/],
    [['--log', LOG], /--videos FILE is required/],
    [['--log', LOG, '--videos', VIDEOS, '--split', '1.5'], /--split must be a share/],
    [['--log', VIDEOS, '--videos', VIDEOS], /missing columns user_id, time_ms, long_view/],
  ];
  for (const [args, message] of cases) {
    const result = await run(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^ranker:eval: /);
  }
});

test('the same seed gives the same numbers; the table shows every ranker', async () => {
  const [{ log, reports }, { videos }] = await Promise.all([loadLogs([LOG]), loadVideos([VIDEOS])]);
  const input = { log, videos, users: null, files: reports };
  const first = await evaluate(input, { epochs: 2, seed: 5 });
  const second = await evaluate(input, { epochs: 2, seed: 5 });
  assert.deepEqual(second.rankers, first.rankers);
  assert.equal(second.model.finalLoss, first.model.finalLoss);
  assert.ok(
    !first.model.features.includes('user_active_degree'),
    'no users file, no user features',
  );
  const table = formatReport(first);
  for (const name of ['model', 'popularity', 'co-watch'])
    assert.match(table, new RegExp(`^${name} +0\\.\\d{4} +0\\.\\d{4} +\\d+\\.\\d{4}$`, 'm'));
  assert.match(table, /split {6}by time at 2022-05-\d\dT/);
  // The users file is read the same way as the others.
  const { users } = await loadUsers([USERS]);
  assert.equal(users.count, 27285);
});

test('arguments: repeated --log, defaults, and refusals', () => {
  const command = parseEvalArgs(['--log', 'a.csv', '--log', 'b.csv', '--videos', 'v.csv']);
  assert.deepEqual(command.logs, ['a.csv', 'b.csv']);
  assert.deepEqual(command.users, []);
  assert.equal(command.options.split, 0.8);
  assert.equal(command.json, false);
  const tuned = parseEvalArgs([
    '--log=a.csv',
    '--videos=v.csv',
    '--split',
    '0.7',
    '--seed',
    '9',
    '--epochs',
    '4',
    '--weight',
    'seconds',
    '--click-head',
    '--max-train-rows',
    '100',
    '--json',
  ]);
  assert.deepEqual(
    [tuned.options.split, tuned.options.seed, tuned.options.epochs, tuned.options.weighting],
    [0.7, 9, 4, 'seconds'],
  );
  assert.equal(tuned.options.clickHead, true);
  assert.equal(tuned.options.maxTrainRows, 100);
  assert.equal(tuned.json, true);
  for (const bad of [
    ['--epochs', '0'],
    ['--epochs', '2.5'],
    ['--seed', '-1'],
    ['--split', ''],
    ['--weight', 'likes'],
    ['--max-train-rows', '0'],
    ['stray'],
  ])
    assert.throws(() => parseEvalArgs(['--log', 'a', '--videos', 'v', ...bad]), {
      name: 'UsageError',
    });
});
