import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closingLine, tapTotals } from './test-totals.mjs';

const summary = (pass, fail, cancelled, skipped, todo) =>
  `# tests ${pass + fail + cancelled + skipped + todo}\n# suites 1\n# pass ${pass}\n# fail ${fail}\n` +
  `# cancelled ${cancelled}\n# skipped ${skipped}\n# todo ${todo}\n# duration_ms 12.5\n`;

test('reads the closing counters, counting cancelled as failed and todo as skipped', () => {
  const tap = `TAP version 13\n# Subtest: a\n    # pass 99\nok 1 - a\n1..1\n${summary(4, 2, 1, 1, 1)}`;
  assert.deepEqual(tapTotals(tap), { passed: 4, failed: 3, skipped: 2 });
});

test('a run that never wrote its summary has no totals', () => {
  assert.equal(tapTotals('TAP version 13\n# Subtest: a\nok 1 - a\n'), null);
  assert.equal(tapTotals(''), null);
});

test('the closing line names skipped tests only when there are some', () => {
  assert.equal(closingLine({ passed: 12, failed: 0, skipped: 0 }), '12 passed, 0 failed');
  assert.equal(closingLine({ passed: 3, failed: 1, skipped: 2 }), '3 passed, 1 failed, 2 skipped');
});
