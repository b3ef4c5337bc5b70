#!/usr/bin/env node
/**
 * `npm test`: every `*.test.ts` / `*.test.mjs` of the repository through node's test runner, then
 * one closing line `N passed, N failed` (`, N skipped` when any) and a non-zero exit on any failure.
 *
 * Node 20's `--test` does not expand globs, so the files are collected here. Arguments filter them:
 * `npm test -- api/src/catalog tests/platform` runs the files whose path contains either string.
 *
 * Environment: TEST_CONCURRENCY (test files run at once, default 2; 1 runs them serially),
 * TEST_TIMEOUT_MS (default 600000), TEST_DATABASE_URL and TEST_REDIS_URL (defaults: the local
 * PostgreSQL and Redis). Node 20 applies the timeout to each file's process as a whole too, so a
 * file that leaves a handle open is cancelled (and counted failed) instead of hanging the run;
 * `--test-force-exit` is not used because on Node 20 it ends the runner before its summary.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureDependencies, ensureWebBuild, repoRoot } from './prepare.mjs';
import { closingLine, tapTotals } from './test-totals.mjs';

const testRoots = [
  'core',
  'media',
  'api',
  'realtime',
  'feed-ranker',
  'web/src',
  'mobile-webview',
  'tests',
  'scripts',
  'bench',
];
const skipped = new Set(['node_modules', 'data', 'build', 'dist', '.svelte-kit', 'coverage']);
const testFile = /\.test\.(ts|mts|mjs)$/;

function collect(dir, found = []) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (skipped.has(entry.name) || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(full, found);
    else if (entry.isFile() && testFile.test(entry.name)) found.push(full);
  }
  return found;
}

/** Tests under tests/ drive the whole platform (browser e2e included), which serves web/build. */
function needsWebBuild(files) {
  return files.some((file) => {
    const relative = path.relative(repoRoot, file).split(path.sep).join('/');
    if (relative.startsWith('tests/')) return true;
    return /playwright|web\/build/.test(readFileSync(file, 'utf8'));
  });
}

function positiveInteger(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    console.error(`${name} must be a positive integer, got "${raw}"`);
    process.exit(2);
  }
  return Number(raw);
}

async function main() {
  const concurrency = positiveInteger('TEST_CONCURRENCY', 2);
  const timeout = positiveInteger('TEST_TIMEOUT_MS', 600_000);
  const filters = process.argv.slice(2);

  ensureDependencies();

  const files = testRoots
    .flatMap((root) => collect(path.join(repoRoot, root)))
    .map((file) => path.relative(repoRoot, file))
    .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
    .sort();
  if (files.length === 0) {
    console.error(`No test files found${filters.length ? ` matching ${filters.join(', ')}` : ''}.`);
    console.log(closingLine({ passed: 0, failed: 1, skipped: 0 }));
    process.exit(1);
  }

  // A failed build is reported as one failed check; the tests still run so the rest is counted.
  let buildFailures = 0;
  if (needsWebBuild(files.map((file) => path.join(repoRoot, file)))) {
    try {
      ensureWebBuild();
    } catch (error) {
      console.error(`web build: ${error.message}`);
      buildFailures = 1;
    }
  }

  const reportDir = mkdtempSync(path.join(tmpdir(), 'binge-test-'));
  const tapFile = path.join(reportDir, 'report.tap');
  const args = [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${timeout}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ];
  const env = {
    ...process.env,
    TEST_DATABASE_URL:
      process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    TEST_REDIS_URL: process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379',
  };

  console.log(`Running ${files.length} test files, ${concurrency} at a time…`);
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Ctrl-C reaches the runner through the terminal's process group; let it report and stop.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  const exitCode = await new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );

  let tap = '';
  try {
    tap = readFileSync(tapFile, 'utf8');
  } catch {
    // No report at all: the runner died before writing one; counted below.
  }
  rmSync(reportDir, { recursive: true, force: true });

  const totals = tapTotals(tap) ?? { passed: 0, failed: 0, skipped: 0 };
  if (tapTotals(tap) === null) {
    console.error(`The test runner ended (exit ${exitCode}) without a summary.`);
    totals.failed += 1;
  } else if (exitCode !== 0 && totals.failed === 0) {
    console.error(`The test runner exited with ${exitCode} although no test failed.`);
    totals.failed += 1;
  }
  totals.failed += buildFailures;

  console.log(closingLine(totals));
  process.exit(totals.failed > 0 ? 1 : 0);
}

await main();
