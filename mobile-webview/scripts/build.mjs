#!/usr/bin/env node
/**
 * `npm run build -w mobile-webview`: the web client built for native shells. It is web's own
 * build with two switches (web/svelte.config.js): output to mobile-webview/build (BINGE_WEBVIEW_OUT
 * overrides it) and SvelteKit's service-worker registration off; VITE_BINGE_WEBVIEW=1 lets page
 * code know (web/src/lib/bridge/webview-build.ts). Serve it with `node mobile-webview/build`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = process.env.BINGE_WEBVIEW_OUT
  ? path.resolve(process.env.BINGE_WEBVIEW_OUT)
  : path.join(repoRoot, 'mobile-webview/build');

const result = spawnSync(
  process.platform === 'win32' ? 'npm.cmd' : 'npm',
  ['run', 'build', '-w', 'web'],
  {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, BINGE_WEBVIEW: '1', VITE_BINGE_WEBVIEW: '1', BINGE_WEBVIEW_OUT: out },
  },
);
if (result.error) throw result.error;
if (result.status === 0) console.log(`webview build written to ${out}`);
process.exit(result.status ?? 1);
