/**
 * A total order over JSON-like values that does not depend on object key insertion order, so every
 * replica breaks a tie the same way whatever path a value took to reach it. Types rank
 * undefined < null < boolean < number < string < array < object; arrays compare element by
 * element, objects by their sorted key lists and then by value key by key; NaN sorts below every
 * other number. Other values (functions, symbols, bigint, class instances' prototypes) are outside
 * the contract: the LWW values here are what the wire carries, which is JSON-like.
 */
export function compareCanonical(a: unknown, b: unknown): -1 | 0 | 1 {
  const rankA = typeRank(a);
  const rankB = typeRank(b);
  if (rankA !== rankB) return rankA < rankB ? -1 : 1;
  switch (rankA) {
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3:
      return compareNumbers(a as number, b as number);
    case 4:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case 5:
      return compareArrays(a as unknown[], b as unknown[]);
    case 6:
      return compareObjects(a as Record<string, unknown>, b as Record<string, unknown>);
    default:
      return 0;
  }
}

function typeRank(value: unknown): number {
  if (value === undefined) return 0;
  if (value === null) return 1;
  if (typeof value === 'boolean') return 2;
  if (typeof value === 'number') return 3;
  if (typeof value === 'string') return 4;
  if (Array.isArray(value)) return 5;
  return 6;
}

function compareNumbers(a: number, b: number): -1 | 0 | 1 {
  if (Number.isNaN(a) || Number.isNaN(b)) {
    if (Number.isNaN(a) && Number.isNaN(b)) return 0;
    return Number.isNaN(a) ? -1 : 1;
  }
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareArrays(a: readonly unknown[], b: readonly unknown[]): -1 | 0 | 1 {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i += 1) {
    const order = compareCanonical(a[i], b[i]);
    if (order !== 0) return order;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): -1 | 0 | 1 {
  const keysA = Object.keys(a).sort();
  const keysB = Object.keys(b).sort();
  const keyOrder = compareArrays(keysA, keysB);
  if (keyOrder !== 0) return keyOrder;
  for (const key of keysA) {
    const order = compareCanonical(a[key], b[key]);
    if (order !== 0) return order;
  }
  return 0;
}
