import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { WATCH_EVENT_TYPES } from '../protocol/watch-events.ts';
import type { StoredWatchEvent } from './event.ts';

/**
 * How a StoredWatchEvent travels through the event stream: JSON with a format version. Anyone
 * with access to Redis can append to the stream, and a later release may change the format, so
 * the consumer checks every entry against the schema and sets aside what does not match instead
 * of storing it.
 */
export const STORED_EVENT_FORMAT = 1;

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Ms = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
const EpochMs = Type.Integer({ minimum: 0, maximum: 2 ** 48 - 1 });

const StoredWatchEventSchema = Type.Object(
  {
    v: Type.Literal(STORED_EVENT_FORMAT),
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    clientId: Type.String({ minLength: 1, maxLength: 64 }),
    userId: Id,
    episodeId: Id,
    seriesId: Id,
    type: Type.Union(WATCH_EVENT_TYPES.map((name) => Type.Literal(name))),
    positionMs: Ms,
    durationMs: Ms,
    fromMs: Type.Union([Ms, Type.Null()]),
    rate: Type.Union([Type.Number({ minimum: 0, maximum: 16 }), Type.Null()]),
    impression: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    clientAt: EpochMs,
    receivedAt: EpochMs,
    source: Type.Union([Type.Literal('ws'), Type.Literal('http')]),
  },
  { additionalProperties: false },
);
const check = TypeCompiler.Compile(StoredWatchEventSchema);

export function encodeStoredEvent(event: StoredWatchEvent): string {
  return JSON.stringify({ v: STORED_EVENT_FORMAT, ...event });
}

/** The event of a stream entry, or the reason it is not one. Never throws. */
export function decodeStoredEvent(
  payload: string,
): { ok: true; event: StoredWatchEvent } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!check.Check(value)) {
    const error = check.Errors(value).First();
    return {
      ok: false,
      reason: `not a stored watch event: ${error ? `${error.path || '/'} ${error.message}` : 'wrong shape'}`,
    };
  }
  const { v: _format, ...event } = value;
  return { ok: true, event };
}
