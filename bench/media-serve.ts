/**
 * Segment serving: our signed media server against nginx (Debian package, sendfile on) on the
 * same 40 files of 2-second 720p size (~450 KB). autocannon with 50 connections cycles through
 * the segment URLs; prints req/s, p99 and MB/s, median of RUNS runs, and the ratio ours/nginx.
 *
 *   npm run bench:media-serve
 *   DURATION=3 RUNS=1 npm run bench:media-serve
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from '@binge/api';
import { mediaTokenExpiry, signMediaToken } from '@binge/api/media/media-token';
import { loadConfig } from '@binge/core/config';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import { measureLoad, type LoadFigure } from './support/load.ts';
import { measureWithWrk, wrkAvailable } from './support/wrk.ts';

const duration = Number(process.env.DURATION ?? 10);
const runs = Number(process.env.RUNS ?? 3);
const connections = 50;
const segmentCount = 40;
const segmentBytes = 450 * 1024;
const secret = 'bench-secret-0123456789abcdef0123456789';
const nginxBinary = process.env.NGINX ?? '/usr/sbin/nginx';

type Figure = LoadFigure;

/** wrk when installed (the client must outrun both servers), autocannon otherwise. */
const loadGenerator = process.env.LOAD ?? (wrkAvailable() ? 'wrk' : 'autocannon');

function measure(base: string, paths: string[]): Promise<Figure> {
  return loadGenerator === 'wrk'
    ? measureWithWrk(base, paths, { connections, duration, runs })
    : measureLoad(base, paths, { connections, duration, runs });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess) {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error('nginx did not start listening');
}

async function startNginx(workDir: string, root: string, workers: string) {
  const port = await freePort();
  const prefix = path.join(workDir, `nginx-${workers}`);
  await mkdir(path.join(prefix, 'temp'), { recursive: true });
  const conf = path.join(prefix, 'nginx.conf');
  await writeFile(
    conf,
    `daemon off;
worker_processes ${workers};
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { video/mp2t ts; }
  default_type application/octet-stream;
  client_body_temp_path ${prefix}/temp/body;
  proxy_temp_path ${prefix}/temp/proxy;
  fastcgi_temp_path ${prefix}/temp/fastcgi;
  uwsgi_temp_path ${prefix}/temp/uwsgi;
  scgi_temp_path ${prefix}/temp/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`,
  );
  const child = spawn(nginxBinary, ['-c', conf, '-p', prefix], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForPort(port, child);
  return {
    base: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Child mode: serve the media directory with our app, report the port on stdout. Our server runs
 * in its own process, like nginx, so the load generator does not share its event loop.
 */
if (process.env.BENCH_SERVE_ROOT) {
  const mediaRoot = process.env.BENCH_SERVE_ROOT;
  const workDir = path.dirname(mediaRoot);
  const config = loadConfig({
    DATA_DIR: workDir,
    LOG_LEVEL: 'silent',
    MEDIA_SECRET: secret,
    MEDIA_CACHE_MB: process.env.MEDIA_CACHE_MB ?? '256',
  });
  const db = await openTestDatabase('pglite');
  const app = await build({ config, db, storage: createLocalStorage(mediaRoot) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${(app.server.address() as AddressInfo).port}\n`);
  process.on('SIGTERM', async () => {
    await app.close();
    await db.close();
    process.exit(0);
  });
} else {
  const workDir = await mkdtemp(path.join(tmpdir(), 'binge-bench-media-'));
  // nginx workers drop root privileges: let them read the files.
  await chmod(workDir, 0o755);
  const mediaRoot = path.join(workDir, 'media');
  const assetPrefix = 'episodes/1/1';
  const keys: string[] = [];
  for (let i = 0; i < segmentCount; i++) {
    const key = `${assetPrefix}/720p/seg-${String(i).padStart(5, '0')}.ts`;
    await mkdir(path.dirname(path.join(mediaRoot, key)), { recursive: true, mode: 0o755 });
    await writeFile(path.join(mediaRoot, key), randomBytes(segmentBytes), { mode: 0o644 });
    keys.push(key);
  }

  const token = signMediaToken(
    secret,
    assetPrefix,
    mediaTokenExpiry(Math.floor(Date.now() / 1000), 3600),
  );
  const results: [string, Figure][] = [];
  // Ours twice: hot segments from the memory cache (the default), and streamed from disk.
  for (const [name, cacheMb] of [
    ['binge /media, memory cache (1 proc)', '256'],
    ['binge /media, streamed (1 proc)', '0'],
  ] as const) {
    const server = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_SERVE_ROOT: mediaRoot, MEDIA_CACHE_MB: cacheMb },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [portLine] = (await once(createInterface({ input: server.stdout! }), 'line')) as [string];
    results.push([
      name,
      await measure(
        `http://127.0.0.1:${Number(portLine)}`,
        keys.map((key) => `/media/${token}/${key}`),
      ),
    ]);
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  }

  for (const workers of ['1', 'auto']) {
    const nginx = await startNginx(workDir, mediaRoot, workers);
    try {
      results.push([
        `nginx worker_processes ${workers}`,
        await measure(
          nginx.base,
          keys.map((key) => `/${key}`),
        ),
      ]);
    } finally {
      await nginx.stop();
    }
  }
  await rm(workDir, { recursive: true, force: true });

  console.log(
    `\n${segmentCount} segments of ${segmentBytes / 1024} KB; ${loadGenerator} ${connections} connections, ${duration} s per run, median of ${runs} run(s)\n`,
  );
  console.log(
    `${'server'.padEnd(38)}${'req/s'.padStart(9)}${'p99 ms'.padStart(9)}${'MB/s'.padStart(9)}${'errors'.padStart(8)}`,
  );
  for (const [name, f] of results)
    console.log(
      `${name.padEnd(38)}${f.rps.toFixed(0).padStart(9)}${String(f.p99).padStart(9)}${f.mbps.toFixed(1).padStart(9)}${String(f.errors).padStart(8)}`,
    );
  const ours = results.slice(0, 2);
  for (const [name, f] of results.slice(2))
    for (const [mineName, mine] of ours)
      console.log(
        `${mineName} / ${name}: ${(mine.rps / f.rps).toFixed(2)}× req/s, ${(mine.mbps / f.mbps).toFixed(2)}× MB/s`,
      );
}
