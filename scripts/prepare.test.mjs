import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { webBuildStaleReason } from './prepare.mjs';

const root = mkdtempSync(path.join(tmpdir(), 'binge-prepare-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Writes a file and dates it (and, for a new folder, the folder) `secondsAgo` in the past. */
function write(file, secondsAgo) {
  const full = path.join(root, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, 'x');
  const when = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(full, when, when);
  for (let dir = path.dirname(full); dir.startsWith(root) && dir !== root; dir = path.dirname(dir))
    utimesSync(dir, when, when);
}

test('the web build is stale when missing, older than an input, and current otherwise', () => {
  write('web/src/routes/+page.svelte', 300);
  write('core/src/protocol/catalog.ts', 300);
  assert.equal(webBuildStaleReason(root), 'web/build/handler.js is missing');

  write('web/build/handler.js', 200);
  assert.equal(webBuildStaleReason(root), null);

  // A test beside the protocol does not go into the bundle.
  write('core/src/protocol/catalog.test.ts', 100);
  utimesSync(path.join(root, 'core/src/protocol'), new Date(0), new Date(0));
  assert.equal(webBuildStaleReason(root), null);

  write('core/src/protocol/frames.ts', 100);
  assert.equal(webBuildStaleReason(root), 'core/src/protocol changed since the last build');

  write('web/build/handler.js', 50);
  write('web/src/lib/player/player.ts', 10);
  assert.equal(webBuildStaleReason(root), 'web/src changed since the last build');
});
