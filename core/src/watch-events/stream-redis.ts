import type { Redis } from 'ioredis';
import { createLogger, type Logger } from '../log/logger.ts';
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
 * The event stream over Redis Streams (https://redis.io/docs/latest/develop/data-types/streams/):
 * XADD in a Lua step that refuses a batch which would take the stream past its cap (so nothing
 * accepted is ever trimmed), one consumer group read with XREADGROUP, idle entries of
 * dead consumers taken over with XAUTOCLAIM (Redis 6.2+), XACK then XDEL once stored, so the
 * stream holds only what is not in PostgreSQL yet. Dead letters go to `<key>:dead`.
 *
 * `redis` is the caller's connection for ordinary commands and is not closed here. A blocking
 * XREADGROUP holds its connection until it answers, so each consumer reading with a wait gets a
 * connection of its own (a duplicate of `redis`), closed by close().
 */
export interface RedisStreamOptions {
  redis: Redis;
  /** The stream's key, prefix included (e.g. `binge:watch-events`). */
  key: string;
  cap?: number;
  logger?: Logger;
}

type Fields = unknown[] | null;

/**
 * Appends ARGV[2..] as entries of KEYS[1], all or none, unless that would take it past ARGV[1]
 * entries (-1). Atomic: concurrent ingesters cannot overshoot the cap together.
 */
const APPEND_SCRIPT = `
local cap = tonumber(ARGV[1])
if redis.call('XLEN', KEYS[1]) + #ARGV - 1 > cap then return -1 end
for i = 2, #ARGV do redis.call('XADD', KEYS[1], '*', 'e', ARGV[i]) end
return #ARGV - 1`;

function payloadOf(fields: Fields): string | null {
  if (!Array.isArray(fields)) return null;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (String(fields[i]) === 'e') return String(fields[i + 1]);
  }
  return null;
}

function isNoGroup(error: unknown): boolean {
  return error instanceof Error && /NOGROUP/.test(error.message);
}

export function createRedisStream(options: RedisStreamOptions): EventStream {
  const { redis, key } = options;
  const cap = options.cap ?? DEFAULT_STREAM_CAP;
  const deadKey = `${key}:dead`;
  const logger = options.logger ?? createLogger({ level: 'warn', name: 'event-stream' });
  const readers = new Map<string, Redis>();
  let closed = false;

  function readerFor(consumer: string): Redis {
    let reader = readers.get(consumer);
    if (reader === undefined) {
      reader = redis.duplicate();
      reader.on('error', (error: unknown) =>
        logger.warn({ err: error, consumer }, 'event stream reader connection error'),
      );
      readers.set(consumer, reader);
    }
    return reader;
  }

  /** Runs a MULTI; any command's error rejects the whole call. */
  async function exec(multi: ReturnType<Redis['multi']>): Promise<unknown[]> {
    const results = await multi.exec();
    if (results === null) throw new Error('event stream transaction was aborted');
    for (const [error] of results) if (error) throw error;
    return results.map(([, value]) => value);
  }

  function entriesOf(list: unknown, deliveries: number): StreamEntry[] {
    const out: StreamEntry[] = [];
    if (!Array.isArray(list)) return out;
    for (const item of list as [string, Fields][]) {
      const payload = payloadOf(item[1]);
      // An entry without our field was written by someone else: deliver it as an empty payload,
      // which the consumer cannot decode and dead-letters instead of leaving it pending forever.
      out.push({ id: String(item[0]), payload: payload ?? '', deliveries });
    }
    return out;
  }

  async function ensureGroup(group: string): Promise<void> {
    try {
      await redis.xgroup('CREATE', key, group, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && /BUSYGROUP/.test(error.message))) throw error;
    }
  }

  return {
    kind: 'redis',

    async append(payloads) {
      if (closed) throw new StreamClosedError();
      if (payloads.length === 0) return;
      const added = await redis.eval(APPEND_SCRIPT, 1, key, cap, ...payloads);
      if (added === -1) throw new StreamFullError(cap);
    },

    ensureGroup,

    async read(group, consumer, count, blockMs) {
      if (closed) return [];
      const blocking = blockMs !== undefined && blockMs > 0;
      const connection = blocking ? readerFor(consumer) : redis;
      const args: (string | number)[] = ['GROUP', group, consumer, 'COUNT', count];
      if (blocking) args.push('BLOCK', blockMs);
      args.push('STREAMS', key, '>');
      let reply: unknown;
      try {
        reply = await connection.call('XREADGROUP', ...args);
      } catch (error) {
        if (closed) return [];
        // The stream (and its group) vanished, e.g. a FLUSHALL: start over from what is there.
        if (isNoGroup(error)) {
          await ensureGroup(group);
          return [];
        }
        throw error;
      }
      if (!Array.isArray(reply) || reply.length === 0) return [];
      const [, list] = reply[0] as [string, unknown];
      return entriesOf(list, 1);
    },

    async claimIdle(group, consumer, minIdleMs, count) {
      if (closed) return [];
      let reply: unknown[];
      try {
        reply = await redis.xautoclaim(key, group, consumer, minIdleMs, '0-0', 'COUNT', count);
      } catch (error) {
        if (isNoGroup(error)) return [];
        throw error;
      }
      const claimed = entriesOf(reply[1], 2);
      if (claimed.length === 0) return claimed;
      // XAUTOCLAIM does not say how often an entry was delivered; XPENDING does.
      const detail = (await redis.xpending(
        key,
        group,
        claimed[0]!.id,
        claimed[claimed.length - 1]!.id,
        claimed.length * 2,
        consumer,
      )) as [string, string, number, number][];
      const deliveries = new Map(detail.map(([id, , , n]) => [id, Number(n)]));
      for (const entry of claimed) entry.deliveries = deliveries.get(entry.id) ?? 2;
      return claimed;
    },

    async ack(group, ids) {
      if (closed) throw new StreamClosedError();
      if (ids.length === 0) return;
      await exec(
        redis
          .multi()
          .xack(key, group, ...ids)
          .xdel(key, ...ids),
      );
    },

    async deadLetter(group, entries, reason) {
      if (closed) throw new StreamClosedError();
      if (entries.length === 0) return;
      const multi = redis.multi();
      for (const entry of entries)
        multi.xadd(
          deadKey,
          'MAXLEN',
          '~',
          String(DEAD_LETTER_CAP),
          '*',
          'id',
          entry.id,
          'e',
          entry.payload,
          'r',
          reason,
        );
      const ids = entries.map((entry) => entry.id);
      multi.xack(key, group, ...ids).xdel(key, ...ids);
      await exec(multi);
    },

    async deadLetters(count) {
      const list = (await redis.xrevrange(deadKey, '+', '-', 'COUNT', count)) as [
        string,
        string[],
      ][];
      const letters: DeadLetter[] = list.map(([, fields]) => {
        const map = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
        return { id: map.get('id') ?? '', payload: map.get('e') ?? '', reason: map.get('r') ?? '' };
      });
      return letters.reverse();
    },

    async pending(group) {
      try {
        const summary = await redis.xpending(key, group);
        return Number(summary[0] ?? 0);
      } catch (error) {
        if (isNoGroup(error)) return 0;
        throw error;
      }
    },

    async length() {
      return redis.xlen(key);
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const reader of readers.values()) reader.disconnect();
      readers.clear();
    },
  };
}
