/**
 * A single `Range: bytes=` request against a stored response of `size` bytes (RFC 9110 §14.1.2).
 * Returns the inclusive range to answer with 206, 'unsatisfiable' for 416, or null to answer the
 * whole body with 200 (no header, several ranges, or a syntax the server may ignore, §14.2).
 */
export function parseByteRange(
  header: string | null,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (header === null) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return null;
  return { start, end };
}
