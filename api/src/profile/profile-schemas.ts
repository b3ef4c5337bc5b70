import { Type } from '@fastify/type-provider-typebox';
import { taskMetrics } from '@binge/core/protocol/progression/daily-tasks';
import { profileLimits } from '@binge/core/protocol/progression/profile-text';

/**
 * TypeBox schemas of the profile, achievement, check-in and task routes; the wire types are in
 * core/src/protocol/progression/responses.ts and profile-schemas.test.ts keeps them equal.
 */
const Localized = Type.Object({ en: Type.String(), zh: Type.String() });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'UTC day, YYYY-MM-DD' });

export const PublicProfileSchema = Type.Object({
  id: Type.Integer(),
  handle: Type.String(),
  displayName: Type.String({ description: 'The nickname' }),
  avatarUrl: Type.Union([Type.String({ description: '256 × 256 WebP' }), Type.Null()]),
  avatarThumbUrl: Type.Union([Type.String({ description: '64 × 64 WebP' }), Type.Null()]),
  bio: Type.String({ description: 'Plain text; may hold line breaks' }),
  level: Type.Integer({ minimum: 0, description: 'From xp by the level curve (levels.ts)' }),
  xp: Type.Integer({ minimum: 0 }),
  followers: Type.Integer({ minimum: 0 }),
  following: Type.Integer({ minimum: 0 }),
  achievements: Type.Integer({ minimum: 0, description: 'Achievements earned' }),
  createdAt: Type.String({ format: 'date-time' }),
});

export const ProfilePatchBody = Type.Object(
  {
    displayName: Type.Optional(
      Type.String({
        maxLength: profileLimits.displayName.maxLength * 4,
        description: `1 to ${profileLimits.displayName.maxLength} characters after trimming; no control, bidi or invisible characters`,
      }),
    ),
    bio: Type.Optional(
      Type.String({
        maxLength: profileLimits.bio.maxLength * 4,
        description: `Up to ${profileLimits.bio.maxLength} characters and ${profileLimits.bio.maxLines} lines after trimming`,
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const AchievementViewSchema = Type.Object({
  code: Type.String(),
  name: Localized,
  description: Localized,
  progress: Type.Integer({ minimum: 0, description: 'Capped at goal' }),
  goal: Type.Integer({ minimum: 1 }),
  xp: Type.Integer({ minimum: 0, description: 'Experience it grants' }),
  earnedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const AchievementListSchema = Type.Object({
  earned: Type.Integer({ minimum: 0 }),
  items: Type.Array(AchievementViewSchema, { description: 'The whole catalogue, in order' }),
});

export const CheckInReceiptSchema = Type.Object({
  day: Day,
  streak: Type.Integer({ minimum: 1 }),
  points: Type.Integer({ minimum: 1 }),
  balance: Type.Integer({ minimum: 0 }),
  achievements: Type.Array(Type.String(), { description: 'Achievements this completed' }),
});

export const CheckInCalendarSchema = Type.Object({
  month: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
  today: Day,
  checkedInToday: Type.Boolean(),
  streak: Type.Integer({
    minimum: 0,
    description: 'Days in a row through today, or through yesterday while today is open',
  }),
  days: Type.Array(Day, { description: 'Days of the month checked in' }),
  nextPoints: Type.Integer({ description: 'Points of the next check-in' }),
});

export const CheckInCalendarQuery = Type.Object({
  month: Type.Optional(
    Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'YYYY-MM; this month when absent' }),
  ),
});

export const DailyTaskViewSchema = Type.Object({
  id: Type.String(),
  name: Localized,
  metric: Type.Unsafe<(typeof taskMetrics)[number]>({ type: 'string', enum: [...taskMetrics] }),
  goal: Type.Integer({ minimum: 1 }),
  progress: Type.Integer({ minimum: 0, description: 'Today’s value, capped at goal' }),
  points: Type.Integer({ minimum: 1 }),
  completed: Type.Boolean(),
  claimed: Type.Boolean(),
});

export const DailyTaskListSchema = Type.Object({
  day: Day,
  items: Type.Array(DailyTaskViewSchema),
});

export const TaskClaimReceiptSchema = Type.Object({
  taskId: Type.String(),
  day: Day,
  points: Type.Integer({ minimum: 1 }),
  balance: Type.Integer({ minimum: 0 }),
});

export const TaskIdParam = Type.String({
  description: 'A task id of GET /me/tasks',
});
