import { Type } from '@fastify/type-provider-typebox';

/** A notification id on the wire: its decimal id, or the `n<id>` the gateway pushed it under. */
export const NotificationIdString = Type.String({
  pattern: '^n?[1-9][0-9]{0,15}$',
  description: 'A notification id (`12`), or the id of its live push (`n12`)',
});

export const NotificationSchema = Type.Object(
  {
    id: Type.String({ description: 'Decimal id; the live push on notify:<userId> carried n<id>' }),
    kind: Type.String({ description: 'e.g. episode.new' }),
    text: Type.String(),
    url: Type.Union([Type.String({ description: 'A same-origin path to open' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);

export const InboxSchema = Type.Object({
  items: Type.Array(NotificationSchema),
  unread: Type.Integer({ minimum: 0, description: 'Unread notifications in all' }),
  nextCursor: Type.Optional(Type.String({ description: 'Pass as cursor for the next page' })),
});

export const MarkReadBody = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(NotificationIdString, {
        maxItems: 200,
        description: 'The notifications to mark read; all of the caller’s when absent',
      }),
    ),
  },
  { additionalProperties: false },
);
