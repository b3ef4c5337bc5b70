import { Type, type TSchema } from '@fastify/type-provider-typebox';

/**
 * TypeBox schemas of the realtime-state wire types in core/src/protocol/catalog.ts (what a client
 * reloads over HTTP after a refetch); realtime-schemas.test.ts checks each against its interface.
 */
const Mid = Type.String({ description: 'Server message id (decimal), as on the channel' });
const CreatedAt = Type.String({ format: 'date-time' });
const Cmid = Type.Optional(
  Type.String({ description: 'Client message id; only on the caller’s own messages' }),
);
const trit = (description: string) =>
  Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { description });

export const WatchProgressSchema = Type.Object({
  episodeId: Type.Integer(),
  positionMs: Type.Integer(),
  durationMs: Type.Integer(),
  hlc: Type.Object(
    // Readonly like core's HlcStamp, which the wire type reuses.
    {
      wallMs: Type.Readonly(Type.Integer()),
      counter: Type.Readonly(Type.Integer()),
      node: Type.Readonly(Type.String()),
    },
    { description: 'HLC stamp of the winning write: merge offline writes against it' },
  ),
});

export const ChatMessageSchema = Type.Object({
  mid: Mid,
  roomId: Type.Integer(),
  userId: Type.Integer(),
  name: Type.String({ description: 'The sender’s display name when it was sent' }),
  text: Type.String(),
  cmid: Cmid,
  createdAt: CreatedAt,
});

export const BlockedUserSchema = Type.Object({
  userId: Type.Integer({ minimum: 1 }),
  blockedAt: Type.String({ format: 'date-time' }),
});

export const DirectMessageSchema = Type.Object({
  mid: Mid,
  from: Type.Integer(),
  to: Type.Integer(),
  text: Type.String(),
  cmid: Cmid,
  createdAt: CreatedAt,
});

export const DanmuSchema = Type.Object({
  mid: Mid,
  episodeId: Type.Integer(),
  userId: Type.Integer(),
  text: Type.String(),
  posMs: Type.Integer({ description: 'Video time, ms' }),
  mode: trit('0 scroll, 1 top, 2 bottom'),
  colour: Type.String({ description: '#rrggbb' }),
  size: trit('0 small, 1 normal, 2 large'),
  cmid: Cmid,
  createdAt: CreatedAt,
});

export const DanmuWindowSchema = Type.Object({
  items: Type.Array(DanmuSchema),
  more: Type.Boolean({
    description: 'More than limit in the window: ask again from the last posMs',
  }),
});

/** A limit query field with its own bounds; outside them is PAGE_SIZE_OUT_OF_RANGE. */
export const BoundedLimit = (maximum: number, defaultValue: number) =>
  Type.Integer({ minimum: 1, maximum, default: defaultValue });

/** A 204 in OpenAPI: no body. */
export const NoContent = (description: string): TSchema => Type.Null({ description });
