/**
 * The one danmu every system in the benchmark carries: the publisher puts its send time at the
 * head of the text, and each subscriber subtracts it from its own clock on receipt. The clock is
 * the machine's monotonic one (CLOCK_MONOTONIC through `process.hrtime`), which every process on
 * the machine shares. Not the wall clock: `performance.timeOrigin` is read once per process, and
 * when the VM's wall clock is stepped between two processes' starts their `timeOrigin + now()`
 * disagree (a first run of the two-node scenario measured a constant 21 s "latency", gone with
 * this clock).
 *
 * The text is padded so that our `publish` frame is about 100 bytes of MessagePack, and Socket.IO
 * and ws carry the very same `d` object (as JSON, their usual encoding).
 */
/** Milliseconds on the machine's monotonic clock, with µs precision. */
export function clockMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** The danmu data a publisher sends, in our protocol's `publish` shape (`DanmuSend`). */
export interface DanmuSend {
  t: string;
  pos: number;
  mode: 0;
  col: string;
  size: 1;
  cmid: string;
}

const filler =
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore';

/**
 * Characters of filler after the timestamp: 8 makes our `publish` frame on a 9-digit episode 103
 * bytes and the `d` object 98 bytes of JSON (checked by the test).
 */
export const paddingLength = 8;

/**
 * `0001140603.955 lorem ip`: the send time in ms (zero-padded to 10 digits, so the size does not
 * depend on the machine's uptime), a space, filler up to `padding`.
 */
export function danmuText(sentAtMs: number, padding = paddingLength): string {
  return `${sentAtMs.toFixed(3).padStart(14, '0')} ${filler.slice(0, padding)}`;
}

/** The send time at the head of a danmu text; NaN when there is none. */
export function sentAtOf(text: string): number {
  const space = text.indexOf(' ');
  return Number(space < 0 ? Number.NaN : text.slice(0, space));
}

/**
 * A client message id of 10 characters (the protocol asks for 8–64): a two-character prefix per
 * scenario, then publisher and sequence. The gateway keeps (user, cmid) for good in PostgreSQL,
 * and the scenarios of a run share users, so each scenario needs its own prefix.
 */
export function clientMessageId(prefix: string, publisher: number, sequence: number): string {
  return `${prefix.padStart(2, '0').slice(-2)}${publisher.toString(36).padStart(3, '0')}${sequence.toString(36).padStart(5, '0')}`;
}

export function danmuSend(
  publisher: number,
  sequence: number,
  sentAtMs: number,
  cmidPrefix = '00',
): DanmuSend {
  return {
    t: danmuText(sentAtMs),
    pos: (sequence * 1000) % 600_000,
    mode: 0,
    col: '#ffffff',
    size: 1,
    cmid: clientMessageId(cmidPrefix, publisher, sequence),
  };
}
