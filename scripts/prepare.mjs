/**
 * Readies a clone for `npm start` and `npm test`: dependencies installed, web built and current.
 * Plain Node with no dependencies, because it runs before `npm ci` has.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What the web build is made from: its sources, its config, and the protocol it bundles. */
export const webBuildInputs = [
  'web/src',
  'web/static',
  'web/svelte.config.js',
  'web/vite.config.ts',
  'web/package.json',
  'core/src/protocol',
  'package-lock.json',
];

/** The newest modification time under a file or folder (0 when absent), ignoring test files. */
export function newestMtime(target) {
  let stats;
  try {
    stats = statSync(target);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return /\.test\.[cm]?[jt]s$/.test(target) ? 0 : stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/**
 * Why the web build must be (re)made, or null when it is current. The adapter writes
 * build/handler.js last-ish and always, so its age stands for the whole build.
 */
export function webBuildStaleReason(root = repoRoot) {
  const marker = path.join(root, 'web/build/handler.js');
  if (!existsSync(marker)) return 'web/build/handler.js is missing';
  const builtAt = statSync(marker).mtimeMs;
  for (const input of webBuildInputs) {
    if (newestMtime(path.join(root, input)) > builtAt)
      return `${input} changed since the last build`;
  }
  return null;
}

function npm(args, root) {
  const result = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** Runs `npm ci` when node_modules is missing; throws when it fails. */
export function ensureDependencies(root = repoRoot) {
  if (existsSync(path.join(root, 'node_modules'))) return false;
  console.log('node_modules is missing: running npm ci (first run only)…');
  const status = npm(['ci'], root);
  if (status !== 0) throw new Error(`npm ci failed with exit code ${status}`);
  return true;
}

/**
 * Builds web when its build is missing or older than its inputs.
 * @returns {{ built: boolean, reason: string | null }}; throws when the build fails.
 */
export function ensureWebBuild(root = repoRoot) {
  const reason = webBuildStaleReason(root);
  if (reason === null) return { built: false, reason };
  console.log(`Building web (${reason})…`);
  const status = npm(['run', 'build', '-w', 'web'], root);
  if (status !== 0) throw new Error(`npm run build -w web failed with exit code ${status}`);
  return { built: true, reason };
}
