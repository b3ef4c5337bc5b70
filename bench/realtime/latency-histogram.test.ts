import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyHistogram, bucketCount, bucketOf, upperEdgeOf } from './latency-histogram.ts';

function close(actual: number, expected: number, relative: number) {
  assert.ok(
    Math.abs(actual - expected) <= expected * relative,
    `${actual} is not within ${relative * 100} % of ${expected}`,
  );
}

test('percentiles of 1..1000 ms are within the bucket precision, never below the sample', () => {
  const h = new LatencyHistogram();
  for (let ms = 1; ms <= 1000; ms += 1) h.record(ms);
  assert.equal(h.total, 1000);
  const p50 = h.percentile(50);
  const p99 = h.percentile(99);
  assert.ok(p50 >= 500 && p99 >= 990);
  close(p50, 500, 0.012);
  close(p99, 990, 0.012);
  close(h.percentile(100), 1000, 0.012);
});

test('sub-millisecond latencies keep 10 µs resolution; negatives count as 0; huge ones clamp', () => {
  const h = new LatencyHistogram();
  h.record(0.123);
  assert.equal(h.percentile(100), 0.13);
  h.reset();
  h.record(-3);
  assert.equal(h.percentile(50), upperEdgeOf(0));
  assert.equal(bucketOf(10 ** 9), bucketCount - 1);
  assert.equal(bucketOf(Number.NaN), 0);
});

test('p99 sees the tail: 98 fast samples and 2 slow ones', () => {
  const h = new LatencyHistogram();
  for (let i = 0; i < 98; i += 1) h.record(5);
  h.record(250);
  h.record(300);
  close(h.percentile(50), 5, 0.012);
  close(h.percentile(99), 250, 0.012);
});

test('every value lands in a bucket whose upper edge is at or above it', () => {
  for (const ms of [0, 0.004, 0.5, 0.999, 1, 1.0001, 7.3, 99.99, 100, 12_345, 99_999]) {
    const bucket = bucketOf(ms);
    assert.ok(upperEdgeOf(bucket) >= ms, `${ms} in bucket ${bucket}`);
    if (bucket > 0) assert.ok(upperEdgeOf(bucket - 1) <= ms + 1e-9, `${ms} below bucket ${bucket}`);
  }
});

test('merging sparse histograms from several workers equals recording everything in one', () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  const all = new LatencyHistogram();
  for (let i = 0; i < 5000; i += 1) {
    const ms = (i * 7919) % 400;
    (i % 2 ? a : b).record(ms);
    all.record(ms);
  }
  const merged = new LatencyHistogram();
  merged.merge(a.toSparse());
  merged.merge(b);
  assert.equal(merged.total, all.total);
  assert.equal(merged.percentile(99), all.percentile(99));
  assert.deepEqual(merged.toSparse(), all.toSparse());
});

test('an empty histogram has no percentiles, and a bad percentile or entry is refused', () => {
  const h = new LatencyHistogram();
  assert.ok(Number.isNaN(h.percentile(99)));
  assert.throws(() => h.percentile(0), RangeError);
  assert.throws(() => h.percentile(101), RangeError);
  assert.throws(() => h.merge([bucketCount, 1]), RangeError);
});
