import { FrameType, frameTypeName, type ServerFrame } from '../realtime/frames.ts';
import { MAX_RID } from '../realtime/limits.ts';
import { RealtimeError } from './realtime-error.ts';
import type { Timer, TimerSet } from './timers.ts';

/**
 * The client's requests in flight, by rid. docs/protocol.md: every client frame is a request with
 * rid ≥ 1, the gateway answers each with exactly one frame carrying the same rid (its reply type or
 * `error`), and replies may come out of request order, so they are matched by rid alone.
 *
 * Replies are handed over synchronously, not through promises: `ws` (and a browser on a busy
 * socket) may deliver several messages in one task, and a `subscribed` reply must take effect
 * before the publications that follow it in the same burst are looked at.
 */

export interface RequestHandlers {
  /** The frame type of a successful reply (`subscribed` for subscribe, `ok` for publish, …). */
  readonly expect: number;
  /** Fails the request with a `timeout` error after this long; null waits for the connection. */
  readonly timeoutMs: number | null;
  onReply(frame: ServerFrame): void;
  onFail(error: RealtimeError): void;
}

export interface RequestTable {
  /** Registers a request under a fresh rid (starting its timeout) and returns the rid. */
  add(request: RequestHandlers): number;
  /**
   * Routes a reply (rid ≠ 0) to its request: `onReply` for the expected type, `onFail` for
   * `error` or (as a `protocol` error) any other type. `unknown`: no request waits for this rid
   * (it timed out, or was abandoned).
   */
  settle(frame: ServerFrame): SettleOutcome;
  /** Drops a request without calling it back (its frame was never sent). */
  forget(rid: number): void;
  /** Fails every request in flight with `error`, oldest first, and empties the table. */
  failAll(error: RealtimeError): void;
  readonly size: number;
}

/**
 * The rid after `previous`: rids count up through the uint32 range and wrap to 1 (0 means "no
 * request" on the wire), skipping any still in flight, so a reply can never reach the wrong
 * request even after 2^32 requests on one long-lived page.
 */
export function nextRid(previous: number, inUse: (rid: number) => boolean): number {
  let rid = previous;
  for (let tries = 0; tries < MAX_RID; tries += 1) {
    rid = rid >= MAX_RID ? 1 : rid + 1;
    if (!inUse(rid)) return rid;
  }
  throw new RangeError('every request id is in flight');
}

export type SettleOutcome = 'reply' | 'error' | 'mismatch' | 'unknown';

interface Pending {
  readonly handlers: RequestHandlers;
  readonly timer: Timer | null;
}

export function createRequestTable(timers: TimerSet): RequestTable {
  const pending = new Map<number, Pending>();
  let lastRid = 0;

  function take(rid: number): RequestHandlers | null {
    const entry = pending.get(rid);
    if (entry === undefined) return null;
    pending.delete(rid);
    entry.timer?.cancel();
    return entry.handlers;
  }

  return {
    add(handlers) {
      const rid = nextRid(lastRid, (candidate) => pending.has(candidate));
      lastRid = rid;
      const timer =
        handlers.timeoutMs === null
          ? null
          : timers.after(handlers.timeoutMs, () => {
              take(rid)?.onFail(
                new RealtimeError('timeout', `no reply within ${handlers.timeoutMs} ms`),
              );
            });
      pending.set(rid, { handlers, timer });
      return rid;
    },

    settle(frame) {
      const handlers = take(frame.rid);
      if (handlers === null) return 'unknown';
      if (frame.type === FrameType.error) {
        const { c, m, ch } = frame.payload;
        handlers.onFail(
          new RealtimeError('server', m, ch === undefined ? { code: c } : { code: c, ch }),
        );
        return 'error';
      }
      if (frame.type !== handlers.expect) {
        handlers.onFail(
          new RealtimeError(
            'protocol',
            `expected ${frameTypeName(handlers.expect)}, the gateway answered ${frameTypeName(frame.type)}`,
          ),
        );
        return 'mismatch';
      }
      handlers.onReply(frame);
      return 'reply';
    },

    forget(rid) {
      take(rid);
    },

    failAll(error) {
      const all = [...pending.keys()];
      for (const rid of all) take(rid)?.onFail(error);
    },

    get size() {
      return pending.size;
    },
  };
}
