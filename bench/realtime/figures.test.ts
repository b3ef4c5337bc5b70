import assert from 'node:assert/strict';
import { test } from 'node:test';
import { medianFigures, sumCounts, windowFigures } from './figures.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { counts, figure, ratio, renderTable } from './report.ts';
import type { WindowReport } from './worker-protocol.ts';

function report(deliveries: number, latencyMs: number, acked: number): WindowReport {
  const h = new LatencyHistogram();
  for (let i = 0; i < deliveries; i += 1) h.record(latencyMs);
  return {
    deliveries,
    bytes: deliveries * 120,
    histogram: h.toSparse(),
    ackHistogram: h.toSparse(),
    published: acked,
    acked,
    rejected: {},
    closes: {},
    errors: {},
    open: 100,
  };
}

test('a window: rates per second, deliveries per CPU-second, delivered share, others CPU', () => {
  const f = windowFigures({
    reports: [report(1000, 10, 10), report(1000, 30, 0)],
    seconds: 2,
    serverCpuSeconds: 0.5,
    redisCpuSeconds: null,
    postgresCpuSeconds: 0.1,
    loadCpuSeconds: 1,
    machineCpuSeconds: 2,
    subscribers: 200,
  });
  assert.equal(f.deliveriesPerSecond, 1000);
  assert.equal(f.deliveriesPerCpuSecond, 4000);
  assert.equal(f.serverCpuPerSecond, 0.25);
  assert.equal(f.bytesPerDelivery, 120);
  assert.equal(f.deliveredShare, 1); // 2000 deliveries of 10 publications to 200 subscribers
  assert.ok(Math.abs(f.otherCpuPerSecond - 0.2) < 1e-9);
  assert.equal(f.postgresCpuPerSecond, 0.05);
  assert.equal(f.redisCpuPerSecond, null);
  assert.ok(f.p50Ms >= 10 && f.p50Ms < 10.2, `${f.p50Ms}`);
  assert.ok(f.p99Ms >= 30 && f.p99Ms < 30.4, `${f.p99Ms}`);
});

test('medians over windows, per figure', () => {
  const windows = [100, 300, 200].map((d) =>
    windowFigures({
      reports: [report(d, d / 10, 1)],
      seconds: 1,
      serverCpuSeconds: 1,
      redisCpuSeconds: 0.1,
      postgresCpuSeconds: null,
      loadCpuSeconds: 0,
      machineCpuSeconds: 1,
      subscribers: d,
    }),
  );
  const m = medianFigures(windows);
  assert.equal(m.deliveriesPerSecond, 200);
  assert.equal(m.deliveriesPerCpuSecond, 200);
  assert.equal(m.redisCpuPerSecond, 0.1);
  assert.throws(() => medianFigures([]), RangeError);
});

test('counters add up across reports', () => {
  assert.deepEqual(sumCounts([{ a: 1 }, { a: 2, b: 1 }, {}]), { a: 3, b: 1 });
  assert.equal(
    counts({ '4001 SLOW_CONSUMER': 2, 'close 1006': 5 }),
    'close 1006 ×5, 4001 SLOW_CONSUMER ×2',
  );
  assert.equal(counts({}), 'none');
});

test('ratios and figures print a dash for what is missing', () => {
  assert.equal(ratio(250, 10), '25.0×');
  assert.equal(ratio(1, 3), '0.33×');
  assert.equal(ratio(5000, 2), '2500×');
  assert.equal(ratio(1, 0), '—');
  assert.equal(ratio(null, 1), '—');
  assert.equal(ratio(Number.NaN, 1), '—');
  assert.equal(figure(1234567.891, 1), '1,234,567.9');
  assert.equal(figure(null), '—');
});

test('tables are aligned Markdown', () => {
  const table = renderTable(
    ['', 'a', 'bb'],
    [
      ['row', '1', '22'],
      ['longer row', '333', '4'],
    ],
  );
  assert.equal(
    table,
    [
      '|            |   a | bb |',
      '| ---------- | --: | -: |',
      '| row        |   1 | 22 |',
      '| longer row | 333 |  4 |',
    ].join('\n'),
  );
});
