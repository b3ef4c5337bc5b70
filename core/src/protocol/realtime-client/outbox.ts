import type { ClientFrame } from '../realtime/frames.ts';
import { RealtimeError } from './realtime-error.ts';
import type { RequestHandlers } from './requests.ts';
import type { Timer, TimerSet } from './timers.ts';

/**
 * The app's requests (publish, history, feed, ack) between the call and the reply. Each may wait
 * for a connection, since the app should not have to know whether the socket is up, and each has a
 * deadline from the moment it was made. When the socket drops under a request in flight, a publish
 * goes back to waiting and is sent again after the reconnect with the same `cmid`, which the
 * gateway deduplicates (docs/protocol.md "Batching and backpressure"); anything else fails with
 * `disconnected`, as its result may no longer be what the app wanted.
 */

export interface OutboxRequest<T> {
  readonly type: ClientFrame['type'];
  /** The frame type of a successful reply. */
  readonly expect: number;
  /** The payload, built when sent (an ack needs the uid of the connection it goes out on). */
  readonly build: () => object | RealtimeError;
  /** Sent again after a reconnect rather than failed: only for idempotent requests. */
  readonly retry: boolean;
  /** From the call, how long the request may take in all, waiting for a connection included. */
  readonly waitMs: number;
  readonly expired: () => RealtimeError;
  readonly result: (payload: unknown) => T;
}

/** Sends a request on the current socket; its rid, or why it could not be sent. */
export type SendRequest = (
  type: ClientFrame['type'],
  payload: object,
  handlers: RequestHandlers,
) => number | RealtimeError;

export interface Outbox {
  /** Adds a request, sent at once when `connected`, else by the next `flush`. */
  add<T>(request: OutboxRequest<T>, connected: boolean): Promise<T>;
  /** A new connection is ready: sends every waiting request, oldest first. */
  flush(): void;
  /** Fails every request with `error` and empties the outbox (the client closed). */
  failAll(error: RealtimeError): void;
}

interface Item {
  readonly request: OutboxRequest<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: RealtimeError) => void;
  /** The rid while in flight; null while waiting. */
  rid: number | null;
  deadline: Timer | null;
}

export function createOutbox(
  timers: TimerSet,
  send: SendRequest,
  forget: (rid: number) => void,
): Outbox {
  const items: Item[] = [];

  function finish(item: Item): void {
    const index = items.indexOf(item);
    if (index >= 0) items.splice(index, 1);
    item.deadline?.cancel();
    if (item.rid !== null) forget(item.rid);
    item.rid = null;
  }

  function fail(item: Item, error: RealtimeError): void {
    finish(item);
    item.reject(error);
  }

  function transmit(item: Item): void {
    const { request } = item;
    const payload = request.build();
    const result =
      payload instanceof RealtimeError
        ? payload
        : send(request.type, payload, {
            expect: request.expect,
            // The deadline of the whole request covers the reply too.
            timeoutMs: null,
            onReply: (frame) => {
              item.rid = null;
              finish(item);
              item.resolve(request.result(frame.payload));
            },
            onFail: (error) => {
              item.rid = null;
              if (error.kind === 'disconnected' && request.retry) return;
              fail(item, error);
            },
          });
    if (result instanceof RealtimeError) fail(item, result);
    else item.rid = result;
  }

  return {
    add<T>(request: OutboxRequest<T>, connected: boolean): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const item: Item = {
          request,
          resolve: resolve as (value: unknown) => void,
          reject,
          rid: null,
          deadline: null,
        };
        item.deadline = timers.after(request.waitMs, () => fail(item, request.expired()));
        items.push(item);
        if (connected) transmit(item);
      });
    },

    flush() {
      for (const item of [...items]) if (item.rid === null) transmit(item);
    },

    failAll(error) {
      for (const item of items.splice(0)) {
        item.deadline?.cancel();
        if (item.rid !== null) forget(item.rid);
        item.reject(error);
      }
    },
  };
}
