import autocannon from 'autocannon';

/** The median: these machines are shared and noisy, so benchmarks report it, not the mean. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface LoadFigure {
  /** Requests per second. */
  rps: number;
  /** 99th percentile latency, milliseconds. */
  p99: number;
  /** Response body throughput, megabytes per second. */
  mbps: number;
  /** Errors and non-2xx answers summed over all runs. */
  errors: number;
}

export interface LoadOptions {
  connections: number;
  /** Seconds per run. */
  duration: number;
  runs: number;
}

/** Runs autocannon `runs` times over `paths` (cycled) and reports the median of each figure. */
export async function measureLoad(
  base: string,
  paths: string[],
  options: LoadOptions,
): Promise<LoadFigure> {
  const figures: LoadFigure[] = [];
  for (let run = 0; run < options.runs; run++) {
    const result = await autocannon({
      url: base,
      connections: options.connections,
      duration: options.duration,
      requests: paths.map((p) => ({ method: 'GET', path: p })),
    });
    figures.push({
      rps: result.requests.average,
      p99: result.latency.p99,
      mbps: result.throughput.average / 1e6,
      errors: result.errors + result.non2xx,
    });
  }
  return {
    rps: median(figures.map((f) => f.rps)),
    p99: median(figures.map((f) => f.p99)),
    mbps: median(figures.map((f) => f.mbps)),
    errors: figures.reduce((sum, f) => sum + f.errors, 0),
  };
}
