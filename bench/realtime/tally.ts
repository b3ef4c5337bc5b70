import { LatencyHistogram } from './latency-histogram.ts';
import type { WindowReport } from './worker-protocol.ts';

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** What a load worker's connections report, gathered per measurement window. */
export class Tally {
  private readonly histogram = new LatencyHistogram();
  private readonly ackHistogram = new LatencyHistogram();
  private deliveries = 0;
  private bytes = 0;
  private published = 0;
  private acked = 0;
  private rejected: Record<string, number> = {};
  private closes: Record<string, number> = {};
  private errors: Record<string, number> = {};

  /** One publication sent at `sentAtMs` arrived at `nowMs`. */
  delivered(sentAtMs: number, nowMs: number): void {
    this.deliveries += 1;
    if (Number.isFinite(sentAtMs)) this.histogram.record(nowMs - sentAtMs);
    else bump(this.errors, 'no send time in text');
  }

  /** `n` publications arrived on a connection that does not measure latency. */
  counted(n: number): void {
    this.deliveries += n;
  }

  received(bytes: number): void {
    this.bytes += bytes;
  }

  sent(): void {
    this.published += 1;
  }

  /** A publication was answered after `ms` (ok, or the reason it failed). */
  answered(outcome: 'ok' | string, ms: number): void {
    this.ackHistogram.record(ms);
    if (outcome === 'ok') this.acked += 1;
    else bump(this.rejected, outcome);
  }

  closed(reason: string): void {
    bump(this.closes, reason);
  }

  error(label: string): void {
    bump(this.errors, label);
  }

  /** The window so far, and a fresh one from now. */
  take(open: number): WindowReport {
    const report: WindowReport = {
      deliveries: this.deliveries,
      bytes: this.bytes,
      histogram: this.histogram.toSparse(),
      ackHistogram: this.ackHistogram.toSparse(),
      published: this.published,
      acked: this.acked,
      rejected: this.rejected,
      closes: this.closes,
      errors: this.errors,
      open,
    };
    this.histogram.reset();
    this.ackHistogram.reset();
    this.deliveries = 0;
    this.bytes = 0;
    this.published = 0;
    this.acked = 0;
    this.rejected = {};
    this.closes = {};
    this.errors = {};
    return report;
  }
}
