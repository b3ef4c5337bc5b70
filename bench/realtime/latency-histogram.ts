/**
 * A latency histogram that load-generator processes fill and the orchestrator merges. Keeping every
 * sample is not an option at 250,000 deliveries a second over several windows and processes, so
 * latencies go into log-linear buckets (HdrHistogram's idea, at a fixed precision):
 *
 * - below 1 ms, 10 µs wide buckets (100 of them);
 * - from 1 ms to 100 s, 200 buckets per decade, each 1.16 % wider than the one before.
 *
 * A percentile is reported as the upper edge of the bucket it falls in, so it is never an
 * underestimate and is at most 1.2 % (or 10 µs) above the true sample. Negative latencies (the
 * clocks of two processes read a hair apart) count as 0; anything above 100 s goes to the last
 * bucket.
 */
const subMsBuckets = 100;
const bucketsPerDecade = 200;
const decades = 5;
export const bucketCount = subMsBuckets + bucketsPerDecade * decades;

export function bucketOf(ms: number): number {
  if (!(ms > 0)) return 0;
  if (ms < 1) return Math.floor(ms * subMsBuckets);
  const index = subMsBuckets + Math.floor(Math.log10(ms) * bucketsPerDecade);
  return Math.min(index, bucketCount - 1);
}

/** The largest latency (ms) that falls in bucket `index`. */
export function upperEdgeOf(index: number): number {
  if (index < subMsBuckets) return (index + 1) / subMsBuckets;
  return 10 ** ((index - subMsBuckets + 1) / bucketsPerDecade);
}

/** Sparse form for IPC: `[bucket, count, bucket, count, …]`. */
export type SparseHistogram = number[];

export class LatencyHistogram {
  readonly counts = new Float64Array(bucketCount);
  total = 0;

  record(ms: number): void {
    this.counts[bucketOf(ms)]! += 1;
    this.total += 1;
  }

  merge(other: LatencyHistogram | SparseHistogram): void {
    if (other instanceof LatencyHistogram) {
      for (let i = 0; i < bucketCount; i += 1) this.counts[i]! += other.counts[i]!;
      this.total += other.total;
      return;
    }
    for (let i = 0; i + 1 < other.length; i += 2) {
      const bucket = other[i]!;
      const count = other[i + 1]!;
      if (!Number.isInteger(bucket) || bucket < 0 || bucket >= bucketCount || !(count >= 0)) {
        throw new RangeError(`bad sparse histogram entry [${bucket}, ${count}]`);
      }
      this.counts[bucket]! += count;
      this.total += count;
    }
  }

  /** The `p`-th percentile (0 < p ≤ 100) in ms; NaN when the histogram is empty. */
  percentile(p: number): number {
    if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
    if (this.total === 0) return Number.NaN;
    // The rank of the sample, 1-based, by the nearest-rank definition.
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let i = 0; i < bucketCount; i += 1) {
      seen += this.counts[i]!;
      if (seen >= rank) return upperEdgeOf(i);
    }
    return upperEdgeOf(bucketCount - 1);
  }

  toSparse(): SparseHistogram {
    const sparse: SparseHistogram = [];
    for (let i = 0; i < bucketCount; i += 1) {
      if (this.counts[i]! > 0) sparse.push(i, this.counts[i]!);
    }
    return sparse;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}
