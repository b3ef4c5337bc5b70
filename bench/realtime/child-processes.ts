/**
 * Starting and stopping the benchmark's processes. Servers and load workers each run in a process
 * of their own, started through `sh -c 'ulimit -n …; exec node …'` so that they get as many file
 * descriptors as the machine allows: 65,536 where the hard limit permits, else the hard limit
 * (raising it needs CAP_SYS_RESOURCE, which a container may not have). `openFilesLimit` tells
 * what a process really got.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const wantedOpenFiles = 65_536;
const raiseLimit = `ulimit -n ${wantedOpenFiles} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;

export function spawnNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions,
  cwd?: string,
): ChildProcess {
  // `exec` replaces the shell, so the child's pid is node's and the IPC channel (if any) passes on.
  return spawn('sh', ['-c', raiseLimit, process.execPath, ...args], { env, stdio, cwd });
}

/** A TCP port free right now on 127.0.0.1 (the kernel picks it; we release it at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves once something accepts connections on `port`, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    await sleep(200);
  }
  throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
