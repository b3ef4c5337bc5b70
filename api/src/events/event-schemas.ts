import { Type } from '@fastify/type-provider-typebox';
import {
  MAX_WATCH_BATCH,
  WATCH_EVENT_TYPES,
  WATCH_REJECT_CODES,
  WatchAck,
} from '@binge/core/protocol/watch-events';

/**
 * Schemas of POST /api/v1/events. The batch schema bounds only its length: each event is checked
 * on its own by the ingester (core/src/protocol/watch-events.ts), so one bad event is refused in
 * the answer while the others are stored, exactly as over the gateway's `watch` frame.
 */
export const WatchEventsBody = Type.Object(
  {
    events: Type.Array(
      Type.Unknown({
        description:
          `One watch event {id, t, eid, pos, at, from?, rate?, imp?}; t is one of ` +
          `${WATCH_EVENT_TYPES.join(', ')} (docs/protocol.md "Watch events")`,
      }),
      { minItems: 1, maxItems: MAX_WATCH_BATCH },
    ),
  },
  { additionalProperties: false },
);

export const WatchAckSchema = Type.Unsafe<WatchAck>({
  ...JSON.parse(JSON.stringify(WatchAck)),
  description:
    `n: events accepted; rej: each refused event's index, code (${WATCH_REJECT_CODES.join(', ')}) ` +
    'and message. DUPLICATE means already stored: treat it as delivered; resend RATE_LIMITED ' +
    'and TRY_AGAIN later, drop the others.',
});
