/**
 * The arithmetic of the broadcast scenarios, apart from the processes that produce its inputs:
 * one window's figures from what the load workers and /proc reported, and the medians over the
 * windows of a run.
 */
import { median } from '../support/load.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import type { WindowReport } from './worker-protocol.ts';

export interface WindowInput {
  reports: WindowReport[];
  seconds: number;
  /** CPU seconds the server node(s) used in the window. */
  serverCpuSeconds: number;
  /** CPU seconds of Redis in the window, when it took part and could be read. */
  redisCpuSeconds: number | null;
  /** CPU seconds of the PostgreSQL backends of our gateway's database (ours only). */
  postgresCpuSeconds: number | null;
  /** CPU seconds of the load workers. */
  loadCpuSeconds: number;
  /** CPU seconds the whole machine was busy in the window (all CPUs together). */
  machineCpuSeconds: number;
  subscribers: number;
}

export interface WindowFigures {
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Publish → ok, as the publisher sees it. */
  ackP50Ms: number;
  ackP99Ms: number;
  serverCpuPerSecond: number;
  deliveriesPerCpuSecond: number;
  redisCpuPerSecond: number | null;
  postgresCpuPerSecond: number | null;
  loadCpuPerSecond: number;
  /** Busy CPU of the whole machine, and the part of it neither the servers, Redis nor the load. */
  machineCpuPerSecond: number;
  otherCpuPerSecond: number;
  bytesPerDelivery: number;
  publishedPerSecond: number;
  ackedPerSecond: number;
  /**
   * Deliveries over (publications sent × subscribers): 1 when the system keeps up and loses
   * nothing; below 1 when it falls behind, drops or refuses (then see the rejections).
   */
  deliveredShare: number;
}

export function windowFigures(input: WindowInput): WindowFigures {
  const histogram = new LatencyHistogram();
  const acks = new LatencyHistogram();
  let deliveries = 0;
  let bytes = 0;
  let published = 0;
  let acked = 0;
  for (const report of input.reports) {
    histogram.merge(report.histogram);
    acks.merge(report.ackHistogram);
    deliveries += report.deliveries;
    bytes += report.bytes;
    published += report.published;
    acked += report.acked;
  }
  const perSecond = (n: number) => n / input.seconds;
  return {
    deliveriesPerSecond: perSecond(deliveries),
    p50Ms: histogram.percentile(50),
    p99Ms: histogram.percentile(99),
    ackP50Ms: acks.percentile(50),
    ackP99Ms: acks.percentile(99),
    serverCpuPerSecond: perSecond(input.serverCpuSeconds),
    deliveriesPerCpuSecond: input.serverCpuSeconds > 0 ? deliveries / input.serverCpuSeconds : NaN,
    redisCpuPerSecond: input.redisCpuSeconds === null ? null : perSecond(input.redisCpuSeconds),
    postgresCpuPerSecond:
      input.postgresCpuSeconds === null ? null : perSecond(input.postgresCpuSeconds),
    loadCpuPerSecond: perSecond(input.loadCpuSeconds),
    machineCpuPerSecond: perSecond(input.machineCpuSeconds),
    otherCpuPerSecond: perSecond(
      Math.max(
        input.machineCpuSeconds -
          input.serverCpuSeconds -
          (input.redisCpuSeconds ?? 0) -
          (input.postgresCpuSeconds ?? 0) -
          input.loadCpuSeconds,
        0,
      ),
    ),
    bytesPerDelivery: deliveries > 0 ? bytes / deliveries : NaN,
    publishedPerSecond: perSecond(published),
    ackedPerSecond: perSecond(acked),
    deliveredShare: published > 0 ? deliveries / (published * input.subscribers) : NaN,
  };
}

/** Each figure's median over the windows (NaN-free figures only; null stays null). */
export function medianFigures(windows: WindowFigures[]): WindowFigures {
  if (windows.length === 0) throw new RangeError('no windows to take the median of');
  const keys = Object.keys(windows[0]!) as (keyof WindowFigures)[];
  const result = {} as Record<keyof WindowFigures, number | null>;
  for (const key of keys) {
    const values = windows
      .map((w) => w[key])
      .filter((v): v is number => v !== null && !Number.isNaN(v));
    result[key] = values.length === 0 ? (windows[0]![key] === null ? null : NaN) : median(values);
  }
  return result as unknown as WindowFigures;
}

/** Sums of the per-reason counters over reports (closes, errors, rejections). */
export function sumCounts(counts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const c of counts) {
    for (const [key, n] of Object.entries(c)) total[key] = (total[key] ?? 0) + n;
  }
  return total;
}
