import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkDependencies } from './check-deps.mjs';

const script = fileURLToPath(new URL('./check-deps.mjs', import.meta.url));
const roots = [];

/** Lays out a throwaway monorepo with the given files (root-relative path → source). */
function fixture(files) {
  const root = mkdtempSync(path.join(tmpdir(), 'binge-check-deps-'));
  roots.push(root);
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), source);
  }
  return root;
}

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** The violations found, as `file:line rule specifier` strings, sorted. */
function found(files) {
  return checkDependencies(fixture(files))
    .violations.map((v) => `${v.file}:${v.line} ${v.rule} ${v.specifier}`)
    .sort();
}

describe('check-deps', () => {
  test('passes code that follows the dependency direction', () => {
    const root = fixture({
      'core/src/db/database.ts': "import { x } from '../config/config.ts';\nexport { x };\n",
      'core/src/config/config.ts': "import { y } from '@binge/core/log';\nexport const x = y;\n",
      'core/src/protocol/catalog.ts': "import type { A } from './frames.ts';\nexport type B = A;\n",
      'core/src/protocol/frames.ts': 'export type A = number;\n',
      'core/src/protocol/errors.test.ts': "import { readFileSync } from 'node:fs';\n",
      'api/src/media/serve.ts':
        "import { s } from '@binge/core/storage';\nimport { t } from '../media/token.ts';\n",
      'api/src/catalog/routes.ts': "export * from '../media/serve.ts';\n",
      'media/src/worker.ts': "const q = await import('@binge/core/queue/queue-local');\n",
      'web/src/lib/api.ts': "import type { SeriesSummary } from '@binge/core/protocol/catalog';\n",
      'web/src/routes/+page.svelte':
        "<script lang=\"ts\">\n  import { f } from '$lib/api';\n  import P from './Player.svelte';\n</script>\n<p>hi</p>\n",
      'tests/platform/embedded.test.ts':
        "import '../../api/src/catalog/routes.ts';\nimport '@binge/media/src/worker.ts';\n",
      'bench/api.ts': "import '../api/src/media/serve.ts';\n",
      'bin/platform.ts': "import '../media/src/worker.ts';\nimport '../web/build/handler.js';\n",
    });
    assert.deepEqual(checkDependencies(root).violations, []);
  });

  test('catches web importing a service or a node-only part of core', () => {
    assert.deepEqual(
      found({
        'web/src/lib/a.ts': "import { db } from '@binge/core/db';\n",
        'web/src/lib/b.ts': "\n\nimport { app } from '@binge/api/src/app.ts';\n",
        'web/src/lib/c.ts': "import { x } from '@binge/core';\n",
      }),
      [
        'web/src/lib/a.ts:1 package @binge/core/db',
        'web/src/lib/b.ts:3 package @binge/api/src/app.ts',
        'web/src/lib/c.ts:1 package @binge/core',
      ],
    );
  });

  test('catches web reaching into core by relative path, in .svelte script blocks too', () => {
    assert.deepEqual(
      found({
        'web/src/routes/+page.svelte':
          '<script lang="ts">\n  import { f } from \'../../../core/src/protocol/catalog.ts\';\n</script>\n',
        'web/src/lib/player.ts': "export * from '../../../api/src/http/app.ts';\n",
      }),
      [
        'web/src/lib/player.ts:1 relative-escape ../../../api/src/http/app.ts',
        'web/src/routes/+page.svelte:2 relative-escape ../../../core/src/protocol/catalog.ts',
      ],
    );
  });

  test("catches a service importing another service's package, statically or dynamically", () => {
    assert.deepEqual(
      found({
        'api/src/media/serve.ts': "import { t } from '@binge/media/transcode';\n",
        'media/src/worker.ts': "const api = await import('@binge/api');\n",
        'realtime/src/server.ts': "export { rank } from '@binge/feed-ranker/src/rank.ts';\n",
        'feed-ranker/src/server.ts': "import '@binge/web';\n",
      }),
      [
        'api/src/media/serve.ts:1 package @binge/media/transcode',
        'feed-ranker/src/server.ts:1 package @binge/web',
        'media/src/worker.ts:1 package @binge/api',
        'realtime/src/server.ts:1 package @binge/feed-ranker/src/rank.ts',
      ],
    );
  });

  test('catches a service reaching into another workspace by relative path', () => {
    assert.deepEqual(
      found({
        'api/src/catalog/routes.ts': "import { x } from '../../../media/src/hls/ladder.ts';\n",
        'media/src/worker.ts': "const c = await import('../../core/src/db/schema.ts');\n",
        'api/src/app.ts': "import '../../bin/platform.ts';\n",
      }),
      [
        'api/src/app.ts:1 relative-escape ../../bin/platform.ts',
        'api/src/catalog/routes.ts:1 relative-escape ../../../media/src/hls/ladder.ts',
        'media/src/worker.ts:1 relative-escape ../../core/src/db/schema.ts',
      ],
    );
  });

  test('catches core importing a service, by package or by path', () => {
    assert.deepEqual(
      found({
        'core/src/db/database.ts': "import { a } from '@binge/api/src/app.ts';\n",
        'core/src/queue/queue-local.ts': "export * from '../../../media/src/worker.ts';\n",
      }),
      [
        'core/src/db/database.ts:1 package @binge/api/src/app.ts',
        'core/src/queue/queue-local.ts:1 relative-escape ../../../media/src/worker.ts',
      ],
    );
  });

  test('catches the browser-safe protocol importing Node built-ins or the rest of core', () => {
    assert.deepEqual(
      found({
        'core/src/protocol/frames.ts':
          "import { createHash } from 'node:crypto';\nimport fs from 'fs';\nimport { users } from '../db/schema.ts';\nimport { l } from '@binge/core/log';\n",
      }),
      [
        'core/src/protocol/frames.ts:1 node-builtin node:crypto',
        'core/src/protocol/frames.ts:2 node-builtin fs',
        'core/src/protocol/frames.ts:3 relative-escape ../db/schema.ts',
        'core/src/protocol/frames.ts:4 package @binge/core/log',
      ],
    );
  });

  test('skips node_modules, build output and the data folder', () => {
    assert.deepEqual(
      found({
        'web/node_modules/x/index.js': "import '@binge/api';\n",
        'web/build/server/index.js': "import '@binge/core/db';\n",
        'web/.svelte-kit/output/x.js': "import '@binge/core/db';\n",
        'data/media/x.js': "import '@binge/api';\n",
      }),
      [],
    );
  });

  test('the command lists violations and exits 1, or exits 0 on clean code', async () => {
    const run = promisify(execFile);
    const dirty = fixture({ 'web/src/lib/a.ts': "import '@binge/core/db';\n" });
    await assert.rejects(run(process.execPath, [script, dirty]), (error) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /1 dependency-direction violation/);
      assert.match(error.stderr, /web\/src\/lib\/a\.ts:1 {2}'@binge\/core\/db' {2}\[package\]/);
      return true;
    });
    const clean = fixture({ 'web/src/lib/a.ts': "import '@binge/core/protocol/catalog';\n" });
    const { stdout } = await run(process.execPath, [script, clean]);
    assert.match(stdout, /dependency direction respected/);
  });
});
