import {
  DEAD_LETTER_CAP,
  DEFAULT_STREAM_CAP,
  StreamClosedError,
  StreamFullError,
  type DeadLetter,
  type EventStream,
  type StreamEntry,
} from './stream.ts';

/**
 * The event stream in process memory, for the embedded platform (one process: the ingesters and
 * the consumer share this instance). Same semantics as Redis Streams with one consumer group:
 * a group cursor, a pending list with each entry's consumer, delivery time and count, claims of
 * idle entries, acknowledge-and-delete. Entries are lost with the process, as an embedded Redis
 * without persistence would lose them; what was acknowledged is already in PostgreSQL.
 */
export interface MemoryStreamOptions {
  cap?: number;
  now?: () => number;
}

interface Pending {
  consumer: string;
  deliveredAt: number;
  deliveries: number;
}

interface Group {
  /** Sequence number of the last entry handed to a consumer. */
  lastDelivered: number;
  /** Pending entries by sequence number. */
  pending: Map<number, Pending>;
}

export function createMemoryStream(options: MemoryStreamOptions = {}): EventStream {
  const cap = options.cap ?? DEFAULT_STREAM_CAP;
  const now = options.now ?? Date.now;
  /** Entries by sequence number, in append order (Map keeps insertion order). */
  const entries = new Map<number, string>();
  /** Ids carry their sequence number (`<ms>-<seq>`), so acks find entries without an index. */
  const idOf = new Map<number, string>();
  const groups = new Map<string, Group>();
  const dead: DeadLetter[] = [];
  let nextSeq = 1;
  let closed = false;
  /** Blocked reads; each removes itself when its wait ends, woken or timed out. */
  const waiters = new Set<() => void>();

  const seqOf = (id: string): number | null => {
    const match = /^\d+-(\d+)$/.exec(id);
    return match ? Number(match[1]) : null;
  };

  function groupOf(name: string): Group {
    let group = groups.get(name);
    if (group === undefined) {
      group = { lastDelivered: 0, pending: new Map() };
      groups.set(name, group);
    }
    return group;
  }

  function wake(): void {
    for (const resolve of [...waiters]) resolve();
  }

  function remove(group: Group, seqs: Iterable<number>): void {
    for (const seq of seqs) {
      group.pending.delete(seq);
      entries.delete(seq);
      idOf.delete(seq);
    }
  }

  function takeNew(group: Group, consumer: string, count: number): StreamEntry[] {
    const out: StreamEntry[] = [];
    for (const [seq, payload] of entries) {
      if (out.length >= count) break;
      if (seq <= group.lastDelivered) continue;
      group.lastDelivered = seq;
      group.pending.set(seq, { consumer, deliveredAt: now(), deliveries: 1 });
      out.push({ id: idOf.get(seq)!, payload, deliveries: 1 });
    }
    return out;
  }

  return {
    kind: 'memory',

    async append(payloads) {
      if (closed) throw new StreamClosedError();
      if (entries.size + payloads.length > cap) throw new StreamFullError(cap);
      const ms = now();
      for (const payload of payloads) {
        const seq = nextSeq++;
        entries.set(seq, payload);
        idOf.set(seq, `${ms}-${seq}`);
      }
      wake();
    },

    async ensureGroup(group) {
      groupOf(group);
    },

    async read(groupName, consumer, count, blockMs) {
      if (closed) return [];
      const group = groupOf(groupName);
      const found = takeNew(group, consumer, count);
      if (found.length > 0 || !blockMs || blockMs <= 0) return found;
      const deadline = now() + blockMs;
      while (!closed) {
        const left = deadline - now();
        if (left <= 0) return [];
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          };
          const timer = setTimeout(done, left);
          waiters.add(done);
        });
        if (closed) return [];
        const more = takeNew(group, consumer, count);
        if (more.length > 0) return more;
      }
      return [];
    },

    async claimIdle(groupName, consumer, minIdleMs, count) {
      if (closed) return [];
      const group = groupOf(groupName);
      const at = now();
      const out: StreamEntry[] = [];
      const idle = [...group.pending.entries()]
        .filter(([, p]) => at - p.deliveredAt >= minIdleMs)
        .sort(([a], [b]) => a - b);
      for (const [seq, pending] of idle) {
        if (out.length >= count) break;
        const payload = entries.get(seq);
        if (payload === undefined) {
          // Trimmed while pending: nothing left to deliver (Redis 7 XAUTOCLAIM does the same).
          group.pending.delete(seq);
          continue;
        }
        pending.consumer = consumer;
        pending.deliveredAt = at;
        pending.deliveries += 1;
        out.push({ id: idOf.get(seq)!, payload, deliveries: pending.deliveries });
      }
      return out;
    },

    async ack(groupName, ids) {
      if (closed) throw new StreamClosedError();
      const group = groupOf(groupName);
      remove(
        group,
        ids.map(seqOf).filter((seq): seq is number => seq !== null),
      );
    },

    async deadLetter(groupName, list, reason) {
      if (closed) throw new StreamClosedError();
      for (const entry of list) dead.push({ id: entry.id, payload: entry.payload, reason });
      if (dead.length > DEAD_LETTER_CAP) dead.splice(0, dead.length - DEAD_LETTER_CAP);
      await this.ack(
        groupName,
        list.map((entry) => entry.id),
      );
    },

    async deadLetters(count) {
      return dead.slice(Math.max(0, dead.length - count));
    },

    async pending(groupName) {
      return groups.get(groupName)?.pending.size ?? 0;
    },

    async length() {
      return entries.size;
    },

    async close() {
      closed = true;
      wake();
    },
  };
}
