/**
 * A full garbage collection in another Node process, through its inspector (started with
 * `--inspect=127.0.0.1:0`) and the DevTools protocol's `HeapProfiler.collectGarbage`.
 *
 * The memory scenario needs it: RSS moves by tens of MB when V8 collects or gives pages back (its
 * memory reducer runs some seconds after start-up and after a burst of work), which is more than
 * 20,000 connections of a lean server add. Collecting in every server before each reading makes
 * the three comparable and the readings repeatable.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

/** The inspector's WebSocket URL, from the line Node prints on stderr when it starts listening. */
export function inspectorUrlIn(log: string): string | null {
  return /Debugger listening on (ws:\/\/\S+)/.exec(log)?.[1] ?? null;
}

export async function waitForInspectorUrl(logFile: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const url = inspectorUrlIn(await readFile(logFile, 'utf8').catch(() => ''));
    if (url) return url;
    await sleep(100);
  }
  throw new Error(`no inspector URL in ${logFile}`);
}

export async function collectGarbage(url: string): Promise<void> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('collectGarbage timed out')), 30_000);
      socket.on('message', (data: Buffer) => {
        const reply = JSON.parse(data.toString()) as { id?: number; error?: { message: string } };
        if (reply.id !== 1) return;
        clearTimeout(timer);
        if (reply.error) reject(new Error(reply.error.message));
        else resolve();
      });
      socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    });
  } finally {
    socket.close();
  }
}
