import type { Logger } from '@binge/core/log';
import type { Redis } from 'ioredis';
import { openRedisConnection } from '../redis/redis-connection.ts';
import { redisScript } from '../redis/redis-script.ts';
import {
  checkAtMs,
  checkEpisodeId,
  checkFlush,
  checkLiveOptions,
  type LiveCounters,
  type LiveCountersOptions,
} from './live-counters.ts';
import { LiveCountersClosedError } from './live-error.ts';
import {
  secondOf,
  summarizeWindow,
  windowSecondsAt,
  type LiveDelta,
  type LiveSnapshot,
} from './live-window.ts';

export type RedisLiveCountersOptions = (
  | { url: string; client?: undefined }
  /** A connection the caller owns: used as is and left open by close(). */
  | { client: Redis; url?: undefined }
) &
  LiveCountersOptions & {
    /** Prepended to every key, so deployments can share one Redis. */
    prefix?: string;
    logger?: Logger;
  };

/**
 * Most expired gauges one flush deletes: bounds the script's work after a mass restart of nodes;
 * the rest go on the following flushes (they are already ignored by reads).
 */
const maxGaugesForgottenPerFlush = 100;

/**
 * One flush, atomically (scripts run without interleaving:
 * https://redis.io/docs/latest/develop/interact/programmability/eval-intro/).
 *
 * KEYS[1] the bucket hash of (episode, second): field = node, value = "likes:danmu:posSum:posCount".
 *   HSET, not HINCRBY: the node's entry is replaced, so a retried flush counts once.
 * KEYS[2] the viewers hash of the episode: field = node, value = its gauge.
 * KEYS[3] the sorted set of the episode: member = node, score = atMs of its latest gauge. A gauge is
 *   replaced only by one at least as recent, so a late retry cannot rewind it; gauges whose score
 *   has lapsed are deleted here, reads ignore them anyway.
 * ARGV node, encoded tally, viewers, atMs, bucket PEXPIRE ms, viewerTtlMs, gauge keys PEXPIRE ms.
 */
const flushScript = `
local node = ARGV[1]
local at = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], node, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])

local seen = tonumber(redis.call('ZSCORE', KEYS[3], node))
if not seen or at >= seen then
  redis.call('ZADD', KEYS[3], at, node)
  redis.call('HSET', KEYS[2], node, ARGV[3])
end
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', at - tonumber(ARGV[6]),
  'LIMIT', 0, ${maxGaugesForgottenPerFlush})
if #lapsed > 0 then
  redis.call('ZREM', KEYS[3], unpack(lapsed))
  redis.call('HDEL', KEYS[2], unpack(lapsed))
end
redis.call('PEXPIRE', KEYS[2], ARGV[7])
redis.call('PEXPIRE', KEYS[3], ARGV[7])
return 1
`;

/**
 * One read. KEYS[1..n-2] the window's bucket hashes, KEYS[n-1] the viewers hash, KEYS[n] the sorted
 * set; ARGV the oldest live score (exclusive). Returns { likes, danmu, posSum, posCount, viewers }.
 * Values that do not parse (written by hand) count as nothing rather than failing the read.
 */
const readScript = `
local n = #KEYS
local likes, danmu, posSum, posCount, viewers = 0, 0, 0, 0, 0
for i = 1, n - 2 do
  local entries = redis.call('HVALS', KEYS[i])
  for _, value in ipairs(entries) do
    local l, d, s, c = string.match(value, '^(%d+):(%d+):(%d+):(%d+)$')
    if l then
      likes = likes + tonumber(l)
      danmu = danmu + tonumber(d)
      posSum = posSum + tonumber(s)
      posCount = posCount + tonumber(c)
    end
  end
end
local live = redis.call('ZRANGEBYSCORE', KEYS[n], '(' .. ARGV[1], '+inf')
if #live > 0 then
  local counts = redis.call('HMGET', KEYS[n - 1], unpack(live))
  for _, count in ipairs(counts) do
    local v = count and string.match(count, '^(%d+)$')
    if v then viewers = viewers + tonumber(v) end
  end
end
-- Lua numbers are doubles: '%.0f' prints them as integers (tostring would switch to 1e+15), and
-- strings keep them exact in the reply.
local function int(x) return string.format('%.0f', x) end
return { int(likes), int(danmu), int(posSum), int(posCount), int(viewers) }
`;

const flushCommand = redisScript(flushScript);
const readCommand = redisScript(readScript);

/**
 * Live counters in Redis, shared by every gateway node. Keys carry the episode as a hash tag,
 * `<prefix>{<episodeId>}:s:<second>`, `…:viewers`, `…:seen`, so one episode's keys live in one
 * Redis Cluster slot, as a script requires. A flush and a read are one round trip each (EVALSHA,
 * falling back to EVAL after a Redis restart or SCRIPT FLUSH).
 */
export function createRedisLiveCounters(options: RedisLiveCountersOptions): LiveCounters {
  const { windowSeconds, viewerTtlMs } = checkLiveOptions(options);
  const prefix = options.prefix ?? 'binge:live:';
  // Redis expires on its own clock, not the callers' atMs: a bucket stays a second past the
  // window plus a second of slack for clock skew; gauge keys outlive their TTL likewise.
  const bucketTtlMs = (windowSeconds + 2) * 1000;
  const gaugeKeysTtlMs = viewerTtlMs + 2000;
  const connection = openRedisConnection(options, 'redis live counters');
  let closed = false;

  const episodeKey = (episodeId: number) => `${prefix}{${episodeId}}`;

  return {
    kind: 'redis',

    async flush(nodeId: string, episodeId: number, delta: LiveDelta, atMs: number): Promise<void> {
      const { likes, danmu, positionSumMs, positionCount, viewers } = checkFlush(
        nodeId,
        episodeId,
        delta,
        atMs,
      );
      if (closed) throw new LiveCountersClosedError('redis');
      const episode = episodeKey(episodeId);
      await flushCommand.run(
        connection.redis,
        [`${episode}:s:${secondOf(atMs)}`, `${episode}:viewers`, `${episode}:seen`],
        [
          nodeId,
          `${likes}:${danmu}:${positionSumMs}:${positionCount}`,
          viewers,
          atMs,
          bucketTtlMs,
          viewerTtlMs,
          gaugeKeysTtlMs,
        ],
      );
    },

    async read(episodeId: number, atMs: number): Promise<LiveSnapshot> {
      checkEpisodeId(episodeId);
      checkAtMs(atMs);
      if (closed) throw new LiveCountersClosedError('redis');
      const episode = episodeKey(episodeId);
      const keys = windowSecondsAt(atMs, windowSeconds).map((second) => `${episode}:s:${second}`);
      keys.push(`${episode}:viewers`, `${episode}:seen`);
      const reply = (await readCommand.run(connection.redis, keys, [
        atMs - viewerTtlMs,
      ])) as string[];
      const [likes, danmu, positionSumMs, positionCount, viewers] = reply.map(Number) as [
        number,
        number,
        number,
        number,
        number,
      ];
      return summarizeWindow(
        [{ likes, danmu, positionSumMs, positionCount }],
        viewers,
        windowSeconds,
      );
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}
