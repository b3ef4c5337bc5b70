import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** A free TCP port on loopback (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Child {
  process: ChildProcess;
  output(): string;
  /** Resolves when the process exited. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Children still running; killed if the test process exits first (a crash, a runner timeout). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(child: ChildProcess): Child {
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    process: child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

async function waitForOutput(
  child: Child,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = child.output().match(pattern);
    if (match) return match;
    if (child.process.exitCode !== null) {
      throw new Error(`process exited before ${pattern}: ${child.output().slice(-2000)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${pattern}: ${child.output().slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A private redis-server (the real one from Debian's package) on its own port, without
 * persistence: a restart loses everything, as a Redis without AOF/RDB does in production.
 */
export async function startRedis(port?: number): Promise<Child & { port: number; url: string }> {
  const chosen = port ?? (await freePort());
  const child = track(
    spawn(
      'redis-server',
      ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  await waitForOutput(child, /Ready to accept connections/, 10_000);
  return Object.assign(child, { port: chosen, url: `redis://127.0.0.1:${chosen}` });
}

/** A realtime gateway process (realtime/src/server.ts); resolves once it listens. */
export async function startGatewayProcess(
  env: Record<string, string>,
): Promise<Child & { port: number; url: string }> {
  const port = Number(env.REALTIME_PORT ?? 0) || (await freePort());
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', 'realtime/src/server.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        REALTIME_HOST: '127.0.0.1',
        ...env,
        REALTIME_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  await waitForOutput(child, /realtime listening on /, 30_000);
  return Object.assign(child, { port, url: `ws://127.0.0.1:${port}/ws` });
}
