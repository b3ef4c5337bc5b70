import { test } from 'node:test';
import type { Static } from '@fastify/type-provider-typebox';
import type {
  AchievementList,
  AchievementView,
  CheckInCalendarView,
  CheckInReceipt,
  DailyTaskList,
  DailyTaskView,
  PublicProfile,
  TaskClaimReceipt,
} from '@binge/core/protocol/progression/responses';
import type {
  AchievementListSchema,
  AchievementViewSchema,
  CheckInCalendarSchema,
  CheckInReceiptSchema,
  DailyTaskListSchema,
  DailyTaskViewSchema,
  PublicProfileSchema,
  TaskClaimReceiptSchema,
} from './profile-schemas.ts';

/** Compiles only when A and B are the same type (both directions, optionality included). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T) {}

test('the schemas are the protocol’s wire types (checked by the type checker)', () => {
  assertType<Equal<Static<typeof PublicProfileSchema>, PublicProfile>>();
  assertType<Equal<Static<typeof AchievementViewSchema>, AchievementView>>();
  assertType<Equal<Static<typeof AchievementListSchema>, AchievementList>>();
  assertType<Equal<Static<typeof CheckInReceiptSchema>, CheckInReceipt>>();
  assertType<Equal<Static<typeof CheckInCalendarSchema>, CheckInCalendarView>>();
  assertType<Equal<Static<typeof DailyTaskViewSchema>, DailyTaskView>>();
  assertType<Equal<Static<typeof DailyTaskListSchema>, DailyTaskList>>();
  assertType<Equal<Static<typeof TaskClaimReceiptSchema>, TaskClaimReceipt>>();
});
