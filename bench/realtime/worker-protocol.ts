/**
 * The messages between the orchestrator (bench/realtime.ts) and a load worker
 * (load-worker.ts) over the child-process IPC channel. Every command carries an id and is answered
 * by exactly one reply with the same id.
 */
import type { SparseHistogram } from './latency-histogram.ts';

export type SystemName = 'binge' | 'socketio' | 'ws';

/** Where a server node listens. */
export interface Target {
  port: number;
  /** Our gateway serves `/ws`, Socket.IO `/socket.io/`, the ws peer any path. */
  path: string;
}

/** What a connection presents: the loopback address it binds to and the client IP it claims. */
export interface Identity {
  localAddress: string;
  /** Sent as `X-Forwarded-For` on the upgrade request. */
  forwardedFor: string;
}

export interface PublisherIdentity extends Identity {
  userId: number;
  /** An `rt` token for our gateway (the peers take the user id as it is). */
  token: string;
}

export type Command =
  | {
      id: number;
      cmd: 'subscribe';
      system: SystemName;
      /** Connections go to the targets in turn. */
      targets: Target[];
      room: string;
      count: number;
      localAddress: string;
      /** Index of this worker's first connection, for unique X-Forwarded-For addresses. */
      firstIndex: number;
      /** Handshakes in flight at once. */
      concurrency: number;
      /** One connection in this many decodes every frame and measures latency; the rest count. */
      latencyEvery: number;
    }
  | {
      id: number;
      cmd: 'publishers';
      system: SystemName;
      targets: Target[];
      room: string;
      publishers: PublisherIdentity[];
    }
  | {
      id: number;
      cmd: 'start';
      intervalMs: number;
      /** Two characters that make this scenario's client message ids unique within the run. */
      cmidPrefix: string;
    }
  | { id: number; cmd: 'mark' }
  | { id: number; cmd: 'close' };

/** What happened on a worker's connections since the previous mark. */
export interface WindowReport {
  /** Publications received, counting each entry of a batch (on every connection). */
  deliveries: number;
  /** Bytes of the WebSocket messages that carried them (payload, without WebSocket framing). */
  bytes: number;
  /** Latencies, from the connections that measure them. */
  histogram: SparseHistogram;
  /** Publish → reply (ok or error) times, from the publishers. */
  ackHistogram: SparseHistogram;
  /** Publications sent, and answered with ok. */
  published: number;
  acked: number;
  /** Failed publications by reason (an error code, `timeout`). */
  rejected: Record<string, number>;
  /** Connections closed by the server or the network, by close code or reason. */
  closes: Record<string, number>;
  /** Other trouble: error pushes, frames that failed validation. */
  errors: Record<string, number>;
  /** Connections open at the mark. */
  open: number;
}

export interface OpenReport {
  opened: number;
  failed: number;
  /** The first few failure reasons, for the log. */
  failures: string[];
  seconds: number;
}

export type Reply =
  | { id: number; ok: true; open?: OpenReport; window?: WindowReport }
  | { id: number; ok: false; error: string };
