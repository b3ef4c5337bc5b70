import { Type, type TSchema } from '@fastify/type-provider-typebox';
import {
  hideableTargetTypes,
  MAX_MODERATION_REASON,
  MAX_REPORT_DETAIL,
  reportReasons,
  reportStatuses,
  reportTargetTypes,
  resolveActions,
} from '@binge/core/moderation/store';

/**
 * TypeBox schemas of the report and moderation routes. They validate requests and drive response
 * serialization and the OpenAPI document.
 */
const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description });

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * A target id: users, series and episodes have int32 ids, comments, reviews, danmu, chat lines
 * and DMs bigserial ones (the `mid` of a danmu, chat line or DM on the gateway). A JSON number is
 * accepted as well as its decimal string.
 */
export const TargetIdString = Type.String({
  pattern: '^[1-9][0-9]{0,15}$',
  description: 'The target’s id in decimal (a danmu, chat or DM id is its `mid`)',
});

export const ReportBody = Type.Object(
  {
    targetType: literals(reportTargetTypes, 'What is reported'),
    targetId: TargetIdString,
    reason: literals(reportReasons, 'Why'),
    detail: Type.Optional(
      Type.String({
        maxLength: MAX_REPORT_DETAIL,
        description: `What a moderator should know, plain text (at most ${MAX_REPORT_DETAIL} characters)`,
      }),
    ),
  },
  { additionalProperties: false },
);

const ReportProperties = {
  id: Type.Integer(),
  targetType: literals(reportTargetTypes, 'What is reported'),
  targetId: Type.Integer(),
  reason: literals(reportReasons, 'Why'),
  detail: Type.String(),
  status: literals(reportStatuses, 'open until a moderator dismisses it or acts on its target'),
  createdAt: Type.String({ format: 'date-time' }),
  resolvedAt: Nullable(Type.String({ format: 'date-time' })),
};

export const ReportSchema = Type.Object(ReportProperties);

export const TargetPreviewSchema = Type.Object({
  authorId: Nullable(
    Type.Integer({ description: 'The author, a DM’s sender, the account itself, the creator' }),
  ),
  text: Type.String({ description: 'The text, the name or the title (cut to 280 characters)' }),
  state: Type.String({
    description:
      'visible, hidden or deleted (content), active or banned (user), published or draft ' +
      '(series, episode), gone (no longer exists)',
  }),
});

export const QueuedReportSchema = Type.Object({
  ...ReportProperties,
  reporterId: Type.Integer(),
  resolvedBy: Nullable(Type.Integer()),
  target: TargetPreviewSchema,
});

export const ModerationActionSchema = Type.Object({
  id: Type.Integer(),
  actorId: Nullable(
    Type.Integer({ description: 'The moderator; null once their account is gone' }),
  ),
  action: Type.String({ description: 'hide, unhide, ban, unban or dismiss' }),
  targetType: Type.String(),
  targetId: Type.Integer(),
  reportId: Nullable(Type.Integer()),
  reason: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

const NextCursor = Nullable(Type.String({ description: 'Pass as cursor for the next page' }));

export const ReportPageSchema = Type.Object({
  items: Type.Array(ReportSchema),
  nextCursor: NextCursor,
});
export const QueuePageSchema = Type.Object({
  items: Type.Array(QueuedReportSchema),
  nextCursor: NextCursor,
});
export const ActionPageSchema = Type.Object({
  items: Type.Array(ModerationActionSchema),
  nextCursor: NextCursor,
});

const Reason = (required: boolean) => {
  const schema = Type.String({
    minLength: required ? 1 : 0,
    maxLength: MAX_MODERATION_REASON,
    description: `Why, for the audit log (at most ${MAX_MODERATION_REASON} characters)`,
  });
  return required ? schema : Type.Optional(schema);
};

export const ResolveBody = Type.Object(
  {
    action: literals(
      resolveActions,
      'dismiss: the report is unfounded; hide: hide the content (comments, reviews, danmu, ' +
        'chat); ban: ban the author (and hide the content when it can be hidden)',
    ),
    reason: Reason(true),
  },
  { additionalProperties: false },
);

export const ResolveResultSchema = Type.Object({
  report: QueuedReportSchema,
  actions: Type.Array(ModerationActionSchema),
});

export const OptionalReasonBody = Type.Object(
  { reason: Reason(false) },
  { additionalProperties: false },
);
export const RequiredReasonBody = Type.Object(
  { reason: Reason(true) },
  { additionalProperties: false },
);

export const HideableTypeParam = Type.String({
  description: `${hideableTargetTypes.join(', ')}; the other report target types cannot be hidden`,
});

export const HideResultSchema = Type.Object({
  targetType: Type.String(),
  targetId: Type.Integer(),
  state: Type.String({ description: 'visible, hidden, or deleted (by its author, which stays)' }),
  action: ModerationActionSchema,
});

export const BanResultSchema = Type.Object({
  userId: Type.Integer(),
  bannedAt: Nullable(Type.String({ format: 'date-time' })),
  revokedSessions: Type.Integer({ description: 'Sessions this ban ended' }),
  action: ModerationActionSchema,
});

export const QueueQuery = Type.Object({
  status: Type.Optional(literals(reportStatuses, 'Only reports of this status; all without it')),
  cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

export const ReportIdParams = Type.Object({
  id: Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'A report id' }),
});
