import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * The platform serves web/build: `npm test` rebuilds it when stale (scripts/prepare.mjs), and a
 * browser test run on its own builds it when missing.
 */
export function ensureWebBuild(): void {
  if (existsSync(path.join(repoRoot, 'web/build/handler.js'))) return;
  const build = spawnSync('npm', ['run', 'build', '-w', 'web'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  assert.equal(build.status, 0, 'npm run build -w web failed');
}
