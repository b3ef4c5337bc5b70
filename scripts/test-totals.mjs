/**
 * Reads pass/fail counts from node's TAP reporter output and writes the closing line that
 * `npm test` and .ci/run end with: `N passed, N failed` (`, N skipped` when any).
 */

/** The closing `# pass N` etc. counters of a TAP stream; null when the run never got that far. */
export function tapTotals(tap) {
  const read = (name) => {
    const matches = [...tap.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))];
    return matches.length === 0 ? null : Number(matches.at(-1)[1]);
  };
  const pass = read('pass');
  const fail = read('fail');
  if (pass === null || fail === null) return null;
  return {
    passed: pass,
    // A test cancelled by its timeout, or a file whose process never finished, did not pass.
    failed: fail + (read('cancelled') ?? 0),
    skipped: (read('skipped') ?? 0) + (read('todo') ?? 0),
  };
}

export function closingLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}
