import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const svelteConfig = pathToFileURL(path.join(repoRoot, 'web/svelte.config.js')).href;

interface KitConfig {
  kit: { adapter: { name: string }; serviceWorker?: { register?: boolean } };
}

/** svelte.config.js reads the environment when it is evaluated: a fresh module per variant. */
async function loadConfig(webview: boolean, variant: string): Promise<KitConfig> {
  const saved = process.env.BINGE_WEBVIEW;
  if (webview) process.env.BINGE_WEBVIEW = '1';
  else delete process.env.BINGE_WEBVIEW;
  try {
    return ((await import(`${svelteConfig}?${variant}`)) as { default: KitConfig }).default;
  } finally {
    if (saved === undefined) delete process.env.BINGE_WEBVIEW;
    else process.env.BINGE_WEBVIEW = saved;
  }
}

test('neither build lets SvelteKit register the worker: the app does, outside the webview build', async () => {
  // web/src/lib/offline/offline-client.ts registers it from the root layout, which skips it when
  // lib/bridge/webview-build.ts says this is the webview build.
  const webview = await loadConfig(true, 'webview');
  assert.equal(webview.kit.serviceWorker?.register, false);
  assert.equal(webview.kit.adapter.name, '@sveltejs/adapter-node');
  const standard = await loadConfig(false, 'default');
  assert.equal(standard.kit.serviceWorker?.register, false);
});

test(
  'npm run build -w mobile-webview writes a servable build apart from web/build',
  { timeout: 300_000 },
  () => {
    const out = mkdtempSync(path.join(tmpdir(), 'binge-webview-build-'));
    const webHandler = path.join(repoRoot, 'web/build/handler.js');
    const webBuiltAt = existsSync(webHandler) ? statSync(webHandler).mtimeMs : null;
    try {
      const build = spawnSync(
        process.execPath,
        [path.join(repoRoot, 'mobile-webview/scripts/build.mjs')],
        {
          cwd: repoRoot,
          env: { ...process.env, BINGE_WEBVIEW_OUT: out },
          encoding: 'utf8',
        },
      );
      assert.equal(build.status, 0, `${build.stdout}\n${build.stderr}`);
      for (const file of ['handler.js', 'index.js', 'client', 'server']) {
        assert.ok(existsSync(path.join(out, file)), `${file} in the webview build`);
      }
      assert.ok(
        readdirSync(path.join(out, 'client/_app/immutable')).length > 0,
        'client assets built',
      );
      const webNow = existsSync(webHandler) ? statSync(webHandler).mtimeMs : null;
      assert.equal(webNow, webBuiltAt, 'web/build is left as it was');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
);
