import type { Logger } from '@binge/core/log';
import type { Redis } from 'ioredis';
import { openRedisConnection } from '../redis/redis-connection.ts';
import { redisScript, type RedisScript } from '../redis/redis-script.ts';
import type {
  AppendOptions,
  AppendResult,
  ChannelHistory,
  ChannelHistoryOptions,
  Publication,
  SinceResult,
  StreamPosition,
} from './history.ts';
import {
  checkChannel,
  checkData,
  checkHistoryOptions,
  checkIdempotencyKey,
  checkPosition,
  newEpoch,
  recoveryWindow,
} from './history-input.ts';

export interface RedisHistoryOptions extends ChannelHistoryOptions {
  /** A connection to open and quit on close(); or `client`, an open one shared and left open. */
  url?: string;
  client?: Redis;
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  logger?: Logger;
  /**
   * When set, every append that stores a publication also PUBLISHes it to the Redis pub/sub
   * channel `<announcePrefix><channel>` inside the same script, as `<offset>:<epoch>:<data>`.
   * Redis runs scripts one at a time, so announcements leave in offset order per channel whichever
   * node appended: the broker (../broker/broker-redis.ts) relies on that to fan out in order.
   * A duplicate (idempotent retry) announces nothing.
   */
  announcePrefix?: string;
}

/**
 * Keys of one channel, all under the hash tag `{<channel>}` so that one cluster slot holds them and
 * a script may touch them together:
 *
 * - `meta`, a hash: `epoch` and `top` (the last offset given). One key for both, so the epoch and
 *   the counter can only vanish together: a counter without its epoch would reuse offsets under an
 *   epoch clients still hold.
 * - `stream`, the publications, each with the explicit id `<offset>-0` and one field `d`. The id
 *   is the offset, so XRANGE by offset is native and the gap check is exact.
 * - `idem:<key>`, the position an idempotent append got, `<offset>:<epoch>`, with its own expiry.
 */
function keysOf(prefix: string, channel: string) {
  const base = `${prefix}{${channel}}`;
  return { meta: `${base}:meta`, stream: `${base}:stream`, idem: `${base}:idem:` };
}

/**
 * Shared by every script: the channel's epoch and top, creating the epoch (ARGV[1], drawn by the
 * caller since scripts have no good randomness) when the meta hash is gone: never created,
 * expired, or lost in a restart without persistence. A stream left over from a lost epoch is
 * deleted then, both because its ids would collide with the new offsets and because its entries
 * belong to history clients can no longer name.
 */
const ensureEpoch = `
local function ensure_epoch(meta, stream, candidate, ttl_ms)
  local current = redis.call('HMGET', meta, 'epoch', 'top')
  if current[1] then
    return current[1], tonumber(current[2] or '0')
  end
  redis.call('DEL', stream)
  redis.call('HSET', meta, 'epoch', candidate, 'top', 0)
  redis.call('PEXPIRE', meta, ttl_ms)
  return candidate, 0
end
`;

/**
 * KEYS: meta, stream, idem. ARGV: candidate epoch, ttl ms, data, capacity, has idempotency key
 * ('1' or '0'), idempotency ttl ms, pub/sub channel to announce on ('' for none). Returns { epoch, offset, duplicate (0 or 1) }.
 *
 * Trimming is approximate (`MAXLEN ~`): Redis then drops only whole radix-tree nodes, O(1)
 * amortised instead of splitting a node on every append, and keeps at least `capacity` entries
 * (up to a node more, 100 by default). Recovery does not depend on the exact length: since()
 * enforces the window from the offsets and checks the entries it reads are contiguous.
 */
const appendScript = `${ensureEpoch}
local ttl_ms = tonumber(ARGV[2])
if ARGV[5] == '1' then
  local prior = redis.call('GET', KEYS[3])
  if prior then
    local colon = string.find(prior, ':', 1, true)
    return { string.sub(prior, colon + 1), tonumber(string.sub(prior, 1, colon - 1)), 1 }
  end
end
local epoch = ensure_epoch(KEYS[1], KEYS[2], ARGV[1], ttl_ms)
local offset = redis.call('HINCRBY', KEYS[1], 'top', 1)
local id = string.format('%d', offset)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], id, 'd', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl_ms)
redis.call('PEXPIRE', KEYS[2], ttl_ms)
if ARGV[5] == '1' then
  redis.call('SET', KEYS[3], id .. ':' .. epoch, 'NX', 'PX', ARGV[6])
end
if ARGV[7] ~= '' then
  redis.call('PUBLISH', ARGV[7], id .. ':' .. epoch .. ':' .. ARGV[3])
end
return { epoch, offset, 0 }
`;

/** KEYS: meta, stream. ARGV: candidate epoch, ttl ms. Returns { epoch, top }. */
const positionScript = `${ensureEpoch}
local epoch, top = ensure_epoch(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]))
return { epoch, top }
`;

/**
 * KEYS: meta, stream. ARGV: candidate epoch, ttl ms, client epoch, client offset, window.
 * Returns { 1, epoch, top, data... } when recovered (data for offsets client+1..top in order) or
 * { 0, epoch, top } for refetch. Refetch unless every missed offset is read back, each at its
 * place: the stream may have been trimmed, expired or lost apart from the meta hash.
 */
const sinceScript = `${ensureEpoch}
local epoch, top = ensure_epoch(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]))
local from = tonumber(ARGV[4])
local missed = top - from
if ARGV[3] ~= epoch or missed < 0 or missed > tonumber(ARGV[5]) then
  return { 0, epoch, top }
end
local reply = { 1, epoch, top }
if missed == 0 then
  return reply
end
local entries = redis.call('XRANGE', KEYS[2], string.format('%d', from + 1), '+', 'COUNT', missed)
if #entries ~= missed then
  return { 0, epoch, top }
end
for i, entry in ipairs(entries) do
  if entry[1] ~= string.format('%d', from + i) .. '-0' then
    return { 0, epoch, top }
  end
  local fields = entry[2]
  reply[#reply + 1] = fields[2]
end
return reply
`;

const scripts = {
  append: redisScript(appendScript),
  position: redisScript(positionScript),
  since: redisScript(sinceScript),
};

/**
 * History in Redis Streams, shared by every gateway node: one Lua script per operation, so that
 * epoch creation, offset assignment, XADD, trimming, TTL refresh and the idempotency record happen
 * as one step however many nodes append to a channel at once.
 */
export function createRedisHistory(options: RedisHistoryOptions): ChannelHistory {
  const { capacity, ttlMs, idempotencyTtlMs } = checkHistoryOptions(options);
  const prefix = options.prefix ?? 'binge:history:';
  const announcePrefix = options.announcePrefix;
  const connection = openRedisConnection(options, 'redis history');
  let closed = false;

  async function run(
    script: RedisScript,
    keys: string[],
    args: (string | Buffer | number)[],
  ): Promise<unknown[]> {
    if (closed) throw new Error('channel history is closed');
    return (await script.runBuffer(connection.redis, keys, args)) as unknown[];
  }

  const text = (value: unknown): string => (value as Buffer).toString('utf8');

  return {
    kind: 'redis',

    async append(
      channel: string,
      data: Uint8Array | string,
      appendOptions?: AppendOptions,
    ): Promise<AppendResult> {
      const { meta, stream, idem } = keysOf(prefix, checkChannel(channel));
      const idempotencyKey = checkIdempotencyKey(appendOptions);
      const bytes = checkData(data);
      const [epoch, offset, duplicate] = await run(
        scripts.append,
        [meta, stream, idem + (idempotencyKey ?? '')],
        [
          newEpoch(),
          ttlMs,
          bytes,
          capacity,
          idempotencyKey === undefined ? '0' : '1',
          idempotencyTtlMs,
          announcePrefix === undefined ? '' : announcePrefix + channel,
        ],
      );
      return { epoch: text(epoch), offset: offset as number, duplicate: duplicate === 1 };
    },

    async position(channel: string): Promise<StreamPosition> {
      const { meta, stream } = keysOf(prefix, checkChannel(channel));
      const [epoch, offset] = await run(scripts.position, [meta, stream], [newEpoch(), ttlMs]);
      return { epoch: text(epoch), offset: offset as number };
    },

    async since(channel: string, from: StreamPosition, limit?: number): Promise<SinceResult> {
      const { meta, stream } = keysOf(prefix, checkChannel(channel));
      checkPosition(from);
      const window = recoveryWindow(limit, capacity);
      const [recovered, epoch, top, ...data] = await run(
        scripts.since,
        [meta, stream],
        [newEpoch(), ttlMs, from.epoch, from.offset, window],
      );
      const position = { epoch: text(epoch), offset: top as number };
      if (recovered !== 1) return { kind: 'refetch', ...position };
      const publications: Publication[] = data.map((bytes, i) => ({
        offset: from.offset + 1 + i,
        data: bytes as Buffer,
      }));
      return { kind: 'recovered', ...position, publications };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}
