/**
 * The hybrid logical clock stamp (Kulkarni, Demirbas et al., "Logical Physical Clocks and
 * Consistent Snapshots in Globally Distributed Databases", 2014): a physical part `wallMs`, a
 * logical `counter` that orders events within one millisecond, and the `node` that issued it so
 * that stamps from different replicas never compare equal.
 *
 * Browser-safe and pure: the web client, the typed realtime client and the gateway share it. The
 * wire shape `{ wallMs, counter, node }` is the one core/src/protocol/realtime carries.
 */
export interface HlcStamp {
  readonly wallMs: number;
  readonly counter: number;
  readonly node: string;
}

/**
 * 2^48 - 1 ms is the year 10889: room for any real clock, and 15 decimal digits in the encoding.
 * A stamp beyond it is garbage (or an attack on LWW: a far-future stamp would win forever).
 */
export const maxWallMs = 2 ** 48 - 1;

/**
 * The counter counts events within one millisecond of logical time. 2^16 per millisecond per node
 * is far above any real event rate; the clock never issues a larger counter (it borrows the next
 * millisecond instead, see hlc.ts), so a larger one on the wire is malformed.
 */
export const maxCounter = 2 ** 16 - 1;

/**
 * A node id names one replica: a device install, a gateway or API process. URL-safe base64
 * alphabet, 1 to 32 characters: a random 128-bit id fits (22 characters), so does `api-3`. ASCII
 * only, so JavaScript's code-unit order, byte order and PostgreSQL's `COLLATE "C"` all agree.
 */
export const nodeIdPattern = /^[A-Za-z0-9_-]{1,32}$/;

export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && nodeIdPattern.test(value);
}

export class InvalidStampError extends Error {
  readonly code = 'INVALID_STAMP';
  constructor(readonly reason: string) {
    super(`Invalid HLC stamp: ${reason}`);
    this.name = 'InvalidStampError';
  }
}

export type StampCheck = { ok: true; stamp: HlcStamp } | { ok: false; reason: string };

function isBoundedInteger(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

/**
 * Checks an untrusted value (a decoded frame, a stored row) without throwing. On success the stamp
 * is a fresh object holding exactly the three fields, so nothing else a sender attached travels on.
 */
export function validateStamp(value: unknown): StampCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not an object' };
  }
  const { wallMs, counter, node } = value as Record<string, unknown>;
  if (!isBoundedInteger(wallMs, maxWallMs)) {
    return { ok: false, reason: `wallMs must be an integer in [0, ${maxWallMs}]` };
  }
  if (!isBoundedInteger(counter, maxCounter)) {
    return { ok: false, reason: `counter must be an integer in [0, ${maxCounter}]` };
  }
  if (!isNodeId(node)) {
    return { ok: false, reason: `node must match ${nodeIdPattern.source}` };
  }
  // `+ 0` turns -0 (an integer >= 0 to the checks above) into 0, so encodings stay digits only.
  return { ok: true, stamp: { wallMs: wallMs + 0, counter: counter + 0, node } };
}

/** {@link validateStamp} for callers that prefer an exception: throws {@link InvalidStampError}. */
export function assertStamp(value: unknown): HlcStamp {
  const check = validateStamp(value);
  if (!check.ok) throw new InvalidStampError(check.reason);
  return check.stamp;
}

/**
 * The total order of stamps: wallMs, then counter, then node id by code unit. Two events of one
 * correct node never share (wallMs, counter), so 0 means "the same event".
 */
export function compareStamps(a: HlcStamp, b: HlcStamp): -1 | 0 | 1 {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return 0;
}

export function maxStamp(a: HlcStamp, b: HlcStamp): HlcStamp {
  return compareStamps(a, b) >= 0 ? a : b;
}

const wallDigits = String(maxWallMs).length; // 15
const counterDigits = String(maxCounter).length; // 5
const encodedPattern = new RegExp(
  `^(\\d{${wallDigits}})-(\\d{${counterDigits}})-([A-Za-z0-9_-]{1,32})$`,
);

/**
 * Text such as `001718000000123-00007-api-3` (wallMs, counter, node): zero-padded fixed widths put the separators at fixed offsets, and the node id (the only variable part) comes last,
 * so comparing two encodings by code unit (or bytes, or `COLLATE "C"`) is {@link compareStamps}.
 * Usable as a sort key in a PostgreSQL text column or a Redis sorted-set member.
 */
export function encodeStamp(stamp: HlcStamp): string {
  const { wallMs, counter, node } = assertStamp(stamp);
  return `${String(wallMs).padStart(wallDigits, '0')}-${String(counter).padStart(counterDigits, '0')}-${node}`;
}

/** Parses {@link encodeStamp}'s text; anything else (untrusted input included) throws {@link InvalidStampError}. */
export function decodeStamp(text: string): HlcStamp {
  const match = typeof text === 'string' ? encodedPattern.exec(text) : null;
  if (match === null) throw new InvalidStampError('not an encoded stamp');
  const [, wall = '', counter = '', node = ''] = match;
  return assertStamp({ wallMs: Number(wall), counter: Number(counter), node });
}
