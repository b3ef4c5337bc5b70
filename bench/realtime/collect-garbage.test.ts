import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { collectGarbage, inspectorUrlIn } from './collect-garbage.ts';

test('the inspector URL is read from what Node prints on start', () => {
  const log =
    'Debugger listening on ws://127.0.0.1:40123/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab\n' +
    'For help, see: https://nodejs.org/en/docs/inspector\n';
  assert.equal(inspectorUrlIn(log), 'ws://127.0.0.1:40123/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab');
  assert.equal(inspectorUrlIn('realtime listening on 127.0.0.1:9001'), null);
});

test('a full collection runs in another process through its inspector', async () => {
  // The child drops a large array; after collectGarbage its heap is back near where it started.
  const child = spawn(
    process.execPath,
    [
      '--inspect=127.0.0.1:0',
      '-e',
      `let junk = Array.from({ length: 3e6 }, (_, i) => ({ i }));
       const before = process.memoryUsage().heapUsed;
       junk = null;
       process.stdin.once('data', () => {
         process.stdout.write(JSON.stringify({ before, after: process.memoryUsage().heapUsed }));
         process.exit(0);
       });
       console.error('ready');`,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  while (!stderr.includes('ready')) await once(child.stderr, 'data');
  await collectGarbage(inspectorUrlIn(stderr)!);
  child.stdin.write('\n');
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  await once(child, 'exit');
  const { before, after } = JSON.parse(stdout) as { before: number; after: number };
  assert.ok(after < before / 4, `heap ${before} → ${after}`);
});
