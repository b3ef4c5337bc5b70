import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { median, type LoadFigure, type LoadOptions } from './load.ts';

/**
 * wrk (C, epoll; Debian package `wrk`) as the load generator. For large responses autocannon, in
 * Node, saturates before a server does (about 70 MB/s on these machines), so the media benchmark
 * uses wrk when it is installed: otherwise both servers would measure the client.
 */
const run = promisify(execFile);
export const wrkBinary = process.env.WRK ?? '/usr/bin/wrk';

export function wrkAvailable(): boolean {
  return existsSync(wrkBinary);
}

const unitMs: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const unitMB: Record<string, number> = {
  B: 1e-6,
  KB: 1024 / 1e6,
  MB: 1024 ** 2 / 1e6,
  GB: 1024 ** 3 / 1e6,
};

/** Parses wrk's `--latency` report into requests/s, p99 (ms), MB/s and errors. */
export function parseWrkReport(report: string): LoadFigure {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(report);
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(report);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(report);
  if (!rps || !transfer || !p99) throw new Error(`unreadable wrk report:\n${report}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(report);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    report,
  );
  const errors =
    Number(non2xx?.[1] ?? 0) +
    (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0);
  return {
    rps: Number(rps[1]),
    p99: Number(p99[1]) * unitMs[p99[2]!]!,
    mbps: Number(transfer[1]) * unitMB[transfer[2]!]!,
    errors,
  };
}

/** Runs wrk `runs` times with a Lua script cycling through `paths`; medians of each figure. */
export async function measureWithWrk(
  base: string,
  paths: string[],
  options: LoadOptions & { threads?: number },
): Promise<LoadFigure> {
  const dir = await mkdtemp(path.join(tmpdir(), 'binge-wrk-'));
  try {
    const script = path.join(dir, 'paths.lua');
    await writeFile(
      script,
      `local paths = { ${paths.map((p) => JSON.stringify(p)).join(', ')} }\n` +
        'local i = math.random(#paths)\n' +
        'request = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n',
    );
    const figures: LoadFigure[] = [];
    for (let r = 0; r < options.runs; r++) {
      const { stdout } = await run(wrkBinary, [
        `-t${options.threads ?? 1}`,
        `-c${options.connections}`,
        `-d${options.duration}s`,
        '--latency',
        '-s',
        script,
        base,
      ]);
      figures.push(parseWrkReport(stdout));
    }
    return {
      rps: median(figures.map((f) => f.rps)),
      p99: median(figures.map((f) => f.p99)),
      mbps: median(figures.map((f) => f.mbps)),
      errors: figures.reduce((sum, f) => sum + f.errors, 0),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
