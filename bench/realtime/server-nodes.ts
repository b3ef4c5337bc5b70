/**
 * Starting one or two nodes of a system, each in its own process, with its output in a log file:
 *
 * - binge: our gateway, `node --import tsx realtime/src/server.ts` (path `/ws`);
 * - socketio: servers/socketio-server.ts (path `/socket.io/`);
 * - ws: servers/ws-server.ts.
 *
 * With `redisUrl`, nodes fan out through Redis (our gateway's Redis adapters, Socket.IO's Redis
 * adapter, the ws peer's pub/sub channel); without it, each node keeps its state in memory.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, spawnNode, stopProcess, waitForPort } from './child-processes.ts';
import type { BingeFixture } from './binge-fixture.ts';
import type { SystemName, Target } from './worker-protocol.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const gatewayEntry = path.join(repoRoot, 'realtime/src/server.ts');
const serversDir = fileURLToPath(new URL('./servers/', import.meta.url));

export interface NodeGroup {
  targets: Target[];
  pids: number[];
  logFiles: string[];
  stop(): Promise<void>;
}

export interface NodeOptions {
  nodes: number;
  redisUrl: string | undefined;
  runId: string;
  logDir: string;
  /** Required for binge. */
  fixture?: BingeFixture;
  dataDir: string;
  /** Start with the inspector on a free loopback port (the memory scenario collects garbage). */
  inspect?: boolean;
}

function command(system: SystemName): { args: string[]; path: string } {
  switch (system) {
    case 'binge':
      return { args: ['--import', 'tsx', gatewayEntry], path: '/ws' };
    case 'socketio':
      return {
        args: ['--import', 'tsx', path.join(serversDir, 'socketio-server.ts')],
        path: '/socket.io/',
      };
    case 'ws':
      return { args: ['--import', 'tsx', path.join(serversDir, 'ws-server.ts')], path: '/' };
  }
}

function environment(system: SystemName, node: number, port: number, options: NodeOptions) {
  const nodeId = `${system}-${node + 1}`;
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  if (options.redisUrl) base.REDIS_URL = options.redisUrl;
  if (system === 'binge') {
    const fixture = options.fixture!;
    return {
      ...base,
      NODE_ENV: 'production',
      REALTIME_PORT: String(port),
      REALTIME_HOST: '127.0.0.1',
      DATABASE_URL: fixture.databaseUrl,
      AUTH_SECRET: fixture.authSecret,
      MEDIA_SECRET: fixture.authSecret,
      DATA_DIR: options.dataDir,
      NODE_ID: nodeId,
      LOG_LEVEL: 'warn',
      // Keys of this run only: its user ids come from a fresh database and must not meet the rate
      // buckets or streams of another run or a live deployment on the same Redis.
      REDIS_PREFIX: `bench-${path.basename(options.dataDir).replace(/[^A-Za-z0-9_-]/g, '')}:`,
    };
  }
  return {
    ...base,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ID: nodeId,
    ADAPTER_KEY: `bench-sio-${options.runId}`,
    REDIS_CHANNEL: `bench-ws-${options.runId}`,
  };
}

export async function startNodes(system: SystemName, options: NodeOptions): Promise<NodeGroup> {
  const { args, path: urlPath } = command(system);
  const children: ChildProcess[] = [];
  const targets: Target[] = [];
  const logFiles: string[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopProcess(child)));
  };
  try {
    for (let node = 0; node < options.nodes; node += 1) {
      const port = await freePort();
      const logFile = path.join(
        options.logDir,
        `${system}-${options.nodes}n-${node + 1}-${port}.log`,
      );
      const fd = openSync(logFile, 'a');
      const child = spawnNode(
        options.inspect ? ['--inspect=127.0.0.1:0', ...args] : args,
        environment(system, node, port, options),
        ['ignore', fd, fd],
        repoRoot,
      );
      closeSync(fd);
      children.push(child);
      logFiles.push(logFile);
      await waitForPort(port, child);
      targets.push({ port, path: urlPath });
    }
  } catch (error) {
    await stop();
    const logs = logFiles.map((file) => readFileSync(file, 'utf8').slice(-2000)).join('\n');
    throw new Error(`${system} did not start: ${(error as Error).message}\n${logs}`);
  }
  return { targets, pids: children.map((child) => child.pid!), logFiles, stop };
}

export function gatewayExists(): boolean {
  return existsSync(gatewayEntry);
}
