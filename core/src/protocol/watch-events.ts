/**
 * Watch events: what a viewer does with an episode, sent by clients through the gateway (`watch`
 * frame) or the HTTP API (`POST /api/v1/events`) and read by the feed ranker. Browser-safe: the
 * web client builds and checks its events with the same schema the servers enforce.
 *
 * One event, the same fields on both transports:
 *
 * - `id`: the client's id of the event (a UUID or nanoid), its idempotency key: a resend of the
 *   same id is answered `DUPLICATE` and stored once;
 * - `t`: the kind (WATCH_EVENT_TYPES);
 * - `eid`: the episode; `pos`: the playhead in video milliseconds when it happened;
 * - `at`: the client's clock when it happened (ms since the epoch); the server stamps its own time
 *   too and refuses clocks more than MAX_CLOCK_AHEAD_MS ahead of it or MAX_EVENT_AGE_MS behind;
 * - `from`: where a seek started (seek only); `rate`: the new playback rate (speed only);
 * - `imp`: the impression token of the feed entry that led to this play, when there was one, so
 *   training can join what was shown to what was watched.
 *
 * Each event of a batch is checked on its own: a bad one is rejected with a code and a message,
 * the others are accepted (WatchAck).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Every kind of watch event, in the order of their wire numbers (index + 1). */
export const WATCH_EVENT_TYPES = [
  'start',
  'heartbeat',
  'pause',
  'seek',
  'speed',
  'complete',
  'swipe',
  'like',
  'share',
  'follow_up',
  'unlock',
] as const;
export type WatchEventType = (typeof WATCH_EVENT_TYPES)[number];

/** Most events in one batch (one `watch` frame or one POST). */
export const MAX_WATCH_BATCH = 100;
/** A client clock more than this ahead of the server's is refused (CLOCK_SKEW). */
export const MAX_CLOCK_AHEAD_MS = 5 * 60 * 1000;
/** An event older than this (an offline queue left for a week) is refused (TOO_OLD). */
export const MAX_EVENT_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Slack over the episode's duration for `pos` and `from`: players overshoot by a frame or two. */
export const POSITION_SLACK_MS = 2_000;
/** Playback rates a player may report. */
export const MIN_RATE = 0.25;
export const MAX_RATE = 4;
/** Longest video time accepted before the episode's own duration is known (24 h). */
const MAX_MEDIA_MS = 24 * 60 * 60 * 1000;

/** The impression token of a feed entry (`<request id>.<position>`), echoed in watch events. */
export const ImpressionToken = Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}\\.[0-9]{1,3}$' });
export const ClientEventId = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });

export const WatchEventInput = Type.Object(
  {
    id: ClientEventId,
    t: Type.Union(WATCH_EVENT_TYPES.map((name) => Type.Literal(name))),
    eid: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
    pos: Type.Integer({ minimum: 0, maximum: MAX_MEDIA_MS }),
    at: Type.Integer({ minimum: 0, maximum: 2 ** 48 - 1 }),
    from: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_MEDIA_MS })),
    rate: Type.Optional(Type.Number({ minimum: MIN_RATE, maximum: MAX_RATE })),
    imp: Type.Optional(ImpressionToken),
  },
  { additionalProperties: false },
);
export type WatchEventInput = Static<typeof WatchEventInput>;

/** Why one event of a batch was refused. */
export const WATCH_REJECT_CODES = [
  /** `t` is not one of WATCH_EVENT_TYPES. */
  'UNKNOWN_TYPE',
  /** A field is missing, of the wrong type, out of its range, or unknown. */
  'INVALID_EVENT',
  /** `pos` or `from` is negative or beyond the episode's duration (plus POSITION_SLACK_MS). */
  'POSITION_OUT_OF_RANGE',
  /** `at` is more than MAX_CLOCK_AHEAD_MS ahead of the server's clock. */
  'CLOCK_SKEW',
  /** `at` is more than MAX_EVENT_AGE_MS in the past. */
  'TOO_OLD',
  /** This event id was accepted before; it is stored once. Clients treat it as delivered. */
  'DUPLICATE',
  /** The sender exceeded its event budget; resend later. */
  'RATE_LIMITED',
  /** `eid` names no playable episode. */
  'EPISODE_NOT_FOUND',
  /** The event store did not answer; resend later. */
  'TRY_AGAIN',
] as const;
export type WatchRejectCode = (typeof WATCH_REJECT_CODES)[number];

export interface WatchRejection {
  /** Index of the event in the batch. */
  i: number;
  c: WatchRejectCode;
  /** For people: what was wrong. */
  m: string;
}

/** The answer to a batch: how many were accepted, and each refused event with its reason. */
export const WatchAck = Type.Object(
  {
    n: Type.Integer({ minimum: 0, maximum: MAX_WATCH_BATCH }),
    rej: Type.Array(
      Type.Object(
        {
          i: Type.Integer({ minimum: 0, maximum: MAX_WATCH_BATCH - 1 }),
          c: Type.Union(WATCH_REJECT_CODES.map((code) => Type.Literal(code))),
          m: Type.String({ maxLength: 200 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_WATCH_BATCH },
    ),
  },
  { additionalProperties: false },
);
export type WatchAck = Static<typeof WatchAck>;

const typeNames: ReadonlySet<string> = new Set(WATCH_EVENT_TYPES);

/**
 * Checks the shape of one event: its fields, their types and ranges, and the fields each kind
 * needs (`from` for seek, `rate` for speed, neither elsewhere). What needs the server (the
 * episode's duration, the clock, duplicates, budgets) is checked by the ingester.
 */
export function checkWatchEvent(
  value: unknown,
): { ok: true; event: WatchEventInput } | { ok: false; code: WatchRejectCode; message: string } {
  if (typeof value === 'object' && value !== null && 't' in value) {
    const t = (value as { t: unknown }).t;
    if (typeof t !== 'string' || !typeNames.has(t))
      return {
        ok: false,
        code: 'UNKNOWN_TYPE',
        message: `t: unknown event type ${JSON.stringify(t)?.slice(0, 40) ?? String(t)}; expected one of ${WATCH_EVENT_TYPES.join(', ')}`,
      };
  }
  if (typeof value === 'object' && value !== null) {
    for (const key of ['pos', 'from'] as const) {
      const field = (value as Record<string, unknown>)[key];
      if (typeof field === 'number' && field < 0)
        return {
          ok: false,
          code: 'POSITION_OUT_OF_RANGE',
          message: `${key}: ${field} is before the start of the episode`,
        };
    }
  }
  if (!Value.Check(WatchEventInput, value)) {
    const error = Value.Errors(WatchEventInput, value).First();
    const where = error?.path ? error.path.slice(1) || 'event' : 'event';
    return {
      ok: false,
      code: 'INVALID_EVENT',
      message: `${where}: ${error?.message ?? 'not a watch event'}`.slice(0, 200),
    };
  }
  const event = value;
  if (event.t === 'seek' && event.from === undefined)
    return { ok: false, code: 'INVALID_EVENT', message: 'from: a seek needs where it started' };
  if (event.t !== 'seek' && event.from !== undefined)
    return { ok: false, code: 'INVALID_EVENT', message: 'from: only a seek has a start' };
  if (event.t === 'speed' && event.rate === undefined)
    return { ok: false, code: 'INVALID_EVENT', message: 'rate: a speed change needs the new rate' };
  if (event.t !== 'speed' && event.rate !== undefined)
    return { ok: false, code: 'INVALID_EVENT', message: 'rate: only a speed change has a rate' };
  return { ok: true, event };
}
