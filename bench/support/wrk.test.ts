import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrkReport } from './wrk.ts';

// A report as wrk 4.1 prints it with --latency (units vary per line).
const report = `Running 10s test @ http://127.0.0.1:8080
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.21ms    2.10ms  40.12ms   80.00%
    Req/Sec     5.33k   300.00     6.00k    70.00%
  Latency Distribution
     50%    8.90ms
     75%   10.20ms
     90%   12.00ms
     99%    20.14ms
  53310 requests in 10.00s, 24.05GB read
  Non-2xx or 3xx responses: 3
Requests/sec:   5331.00
Transfer/sec:      2.29GB
`;

test('reads requests/s, p99 in ms, MB/s and errors from a wrk report', () => {
  const figure = parseWrkReport(report);
  assert.equal(figure.rps, 5331);
  assert.equal(figure.p99, 20.14);
  assert.ok(Math.abs(figure.mbps - (2.29 * 1024 ** 3) / 1e6) < 1e-6);
  assert.equal(figure.errors, 3);
});

test('converts microsecond and second latencies, and counts socket errors', () => {
  const figure = parseWrkReport(
    report
      .replace('99%    20.14ms', '99%  850.00us')
      .replace(
        '  Non-2xx or 3xx responses: 3\n',
        '  Socket errors: connect 1, read 2, write 0, timeout 4\n',
      ),
  );
  assert.equal(figure.p99, 0.85);
  assert.equal(figure.errors, 7);
  assert.equal(parseWrkReport(report.replace('99%    20.14ms', '99%    1.50s')).p99, 1500);
});

test('an unreadable report is an error, not a zero', () => {
  assert.throws(
    () => parseWrkReport('unable to connect to 127.0.0.1:1 Connection refused'),
    /unreadable wrk report/,
  );
});
