/**
 * The watch-event stream: where the ingesters (gateway, API) append accepted events and where the
 * ranker's consumer group reads them on their way into PostgreSQL. Redis Streams when scaled
 * (stream-redis.ts), an in-process stream with the same semantics when embedded
 * (stream-memory.ts); one contract suite (stream.contract.ts) holds both to them.
 *
 * Delivery is at least once: an entry read by a consumer stays pending until it is acknowledged,
 * and an entry pending longer than a consumer's patience (its consumer died, or its transaction
 * failed) is claimed by another. Consumers make a replay harmless (ON CONFLICT DO NOTHING).
 */
export interface StreamEntry {
  /** The stream's id of the entry (`<ms>-<seq>`), increasing in append order. */
  id: string;
  /** What was appended. */
  payload: string;
  /** Deliveries to a consumer of the group so far, this one included (1 on a first read). */
  deliveries: number;
}

export interface DeadLetter {
  /** The id the entry had in the stream. */
  id: string;
  payload: string;
  /** Why it was set aside. */
  reason: string;
}

export interface EventStream {
  readonly kind: 'redis' | 'memory';
  /**
   * Appends payloads in order, in one call, all or none; resolves once they are stored. The
   * stream holds only what is not stored in PostgreSQL yet, up to its cap: an append that would
   * pass it is refused with StreamFullError (the ingester answers TRY_AGAIN and the clients keep
   * the events), so a consumer that is gone for long can neither exhaust memory nor make the
   * stream drop events it accepted.
   */
  append(payloads: readonly string[]): Promise<void>;
  /** Creates the consumer group from the start of the stream unless it exists. */
  ensureGroup(group: string): Promise<void>;
  /**
   * Up to `count` entries no consumer of the group has seen yet; they become pending for
   * `consumer`. Waits up to `blockMs` for one when there are none (no wait when undefined).
   */
  read(group: string, consumer: string, count: number, blockMs?: number): Promise<StreamEntry[]>;
  /**
   * Takes over up to `count` entries pending longer than `minIdleMs` with any consumer of the
   * group (a dead one, or a failed batch) and delivers them to `consumer`, oldest first. Entries
   * trimmed from the stream meanwhile are dropped from the pending list, not returned.
   */
  claimIdle(
    group: string,
    consumer: string,
    minIdleMs: number,
    count: number,
  ): Promise<StreamEntry[]>;
  /** Acknowledges processed entries and deletes them from the stream. */
  ack(group: string, ids: readonly string[]): Promise<void>;
  /**
   * Copies entries that can never be processed to the dead-letter stream with the reason, then
   * acknowledges and deletes them, so they neither block a batch nor come back.
   */
  deadLetter(group: string, entries: readonly StreamEntry[], reason: string): Promise<void>;
  /** The newest `count` dead letters, oldest first (operators and tests). */
  deadLetters(count: number): Promise<DeadLetter[]>;
  /** Entries delivered to a consumer of the group and not acknowledged yet. */
  pending(group: string): Promise<number>;
  /** Entries in the stream: not read yet, or read and pending. */
  length(): Promise<number>;
  /** Ends blocked reads (they resolve empty) and releases connections. */
  close(): Promise<void>;
}

/** Entries not stored yet that the stream holds before it refuses more (a consumer gone for hours). */
export const DEFAULT_STREAM_CAP = 1_000_000;
/** Dead letters kept for inspection. */
export const DEAD_LETTER_CAP = 10_000;

/** The stream holds `cap` entries not stored yet: nothing more is accepted until they are. */
export class StreamFullError extends Error {
  constructor(readonly cap: number) {
    super(`the event stream holds ${cap} entries not stored yet; try again later`);
    this.name = 'StreamFullError';
  }
}

/** Message of a stream adapter that is closed. */
export class StreamClosedError extends Error {
  constructor() {
    super('the event stream is closed');
    this.name = 'StreamClosedError';
  }
}
