#!/usr/bin/env node
/**
 * `npm start`: installs dependencies on the first run, (re)builds web when its build is missing or
 * older than its sources, then runs the embedded platform (bin/platform.ts) and exits with its code.
 * Plain Node with no dependencies, because it runs before `npm ci` has.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ensureDependencies, ensureWebBuild, repoRoot } from './prepare.mjs';

try {
  ensureDependencies();
  ensureWebBuild();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

// Its own process group, so a terminal Ctrl-C reaches the platform once, through us: npm forwards
// the signal to us as well as the terminal sending it, and the platform's second SIGINT means
// "stop now without draining".
const child = spawn(process.execPath, ['--import', 'tsx', 'bin/platform.ts'], {
  cwd: repoRoot,
  stdio: 'inherit',
  detached: true,
});

/** The same signal twice within this window is one keypress seen twice, not a second request. */
const duplicateWindowMs = 500;
const lastForwarded = new Map();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    const now = Date.now();
    if (now - (lastForwarded.get(signal) ?? 0) < duplicateWindowMs) return;
    lastForwarded.set(signal, now);
    child.kill(signal);
  });
}

child.on('error', (error) => {
  console.error(`Could not start bin/platform.ts: ${error.message}`);
  process.exit(1);
});

let childRunning = true;
child.on('exit', (code, signal) => {
  childRunning = false;
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
// Detached means it would outlive us; never leave it behind if this launcher dies first.
process.on('exit', () => {
  if (childRunning) child.kill('SIGTERM');
});
