import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Progression } from '@binge/core/progression/progression';
import type { ProfileStore } from '@binge/core/progression/profile-store';
import {
  AlreadyCheckedInError,
  TaskAlreadyClaimedError,
  TaskNotCompletedError,
  TaskNotFoundError,
  type AchievementProgress,
} from '@binge/core/progression/store';
import { achievements } from '@binge/core/protocol/progression/achievements';
import { utcDay } from '@binge/core/protocol/progression/check-in';
import { dailyTasks } from '@binge/core/protocol/progression/daily-tasks';
import type { AchievementList } from '@binge/core/protocol/progression/responses';
import { sessionOptional, sessionRequired } from '../auth/auth-schemas.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { IdString, problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { parseEntityId } from '../http/entity-id.ts';
import {
  AchievementListSchema,
  CheckInCalendarQuery,
  CheckInCalendarSchema,
  CheckInReceiptSchema,
  DailyTaskListSchema,
  TaskClaimReceiptSchema,
  TaskIdParam,
} from './profile-schemas.ts';

export interface ProgressionRoutesOptions {
  progression: Progression;
  profiles: ProfileStore;
  guard: SessionGuard;
  /** The clock of check-in days and task days; tests move it. */
  now?: () => Date;
}

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');
const refused = problemResponse('ACCOUNT_BANNED');

function achievementList(progress: AchievementProgress[]): AchievementList {
  const items = achievements.map((achievement) => {
    const own = progress.find((p) => p.code === achievement.code);
    return {
      code: achievement.code,
      name: achievement.name,
      description: achievement.description,
      progress: own?.progress ?? 0,
      goal: achievement.goal,
      xp: achievement.xp,
      earnedAt: own?.earnedAt?.toISOString() ?? null,
    };
  });
  return { earned: items.filter((item) => item.earnedAt !== null).length, items };
}

/**
 * Achievements, the daily check-in and the daily tasks (issue 4, items 3 and 7) over
 * core/src/progression. Check-ins and task claims credit points through the points ledger in the
 * same transaction; achievements a check-in completes are pushed live like any other.
 */
export async function progressionRoutes(app: FastifyInstance, options: ProgressionRoutesOptions) {
  const { progression, profiles, guard } = options;
  const { store } = progression;
  const now = options.now ?? (() => new Date());
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  typed.get(
    '/me/achievements',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'The achievement catalogue with the caller’s progress and what they earned',
        tags: ['progression'],
        security: sessionRequired,
        response: { 200: AchievementListSchema, 401: unauthorized, 403: refused },
      },
    },
    async (request) => achievementList(await store.achievements(guard.userOf(request).id)),
  );

  typed.get(
    '/users/:id/achievements',
    {
      onRequest: guard.resolveViewer,
      schema: {
        summary: 'A user’s achievements and progress, as on their profile',
        tags: ['progression'],
        security: sessionOptional,
        params: Type.Object({ id: IdString }),
        response: {
          200: AchievementListSchema,
          400: problemResponse('INVALID_ID'),
          401: unauthorized,
          404: problemResponse('USER_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const userId = parseEntityId(request.params.id);
      if ((await profiles.profile(userId)) === null)
        throw new AppError('USER_NOT_FOUND', `User ${userId} does not exist`);
      return achievementList(await store.achievements(userId));
    },
  );

  typed.post(
    '/me/check-in',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Check in for today (UTC)',
        description:
          'The streak continues from yesterday or restarts at 1; the points of the streak day ' +
          '(10, 10, 15, 15, 20, 20, 50, then again) are credited. Once per UTC day.',
        tags: ['progression'],
        security: sessionRequired,
        response: {
          201: CheckInReceiptSchema,
          401: unauthorized,
          403: refused,
          409: problemResponse('ALREADY_CHECKED_IN'),
        },
      },
    },
    async (request, reply) => {
      try {
        const result = await store.checkIn(guard.userOf(request).id, now());
        await progression.announce(result);
        return reply.code(201).send({
          day: result.day,
          streak: result.streak,
          points: result.points,
          balance: result.balance,
          achievements: result.awarded.map((a) => a.code),
        });
      } catch (error) {
        if (error instanceof AlreadyCheckedInError)
          throw new AppError('ALREADY_CHECKED_IN', `Already checked in on ${error.day}`);
        throw error;
      }
    },
  );

  typed.get(
    '/me/check-in',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'The check-in calendar of a month and the current streak',
        tags: ['progression'],
        security: sessionRequired,
        querystring: CheckInCalendarQuery,
        response: {
          200: CheckInCalendarSchema,
          400: problemResponse('VALIDATION_FAILED'),
          401: unauthorized,
          403: refused,
        },
      },
    },
    async (request) => {
      const at = now();
      const month = request.query.month ?? utcDay(at).slice(0, 7);
      const monthNumber = Number(month.slice(5));
      if (monthNumber < 1 || monthNumber > 12)
        throw new AppError('VALIDATION_FAILED', `querystring/month: ${month} is no month`);
      return store.checkInCalendar(guard.userOf(request).id, month, at);
    },
  );

  typed.get(
    '/me/tasks',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Today’s daily tasks with the caller’s progress',
        description:
          'Progress is read from what the caller did today (UTC): watch time, ' +
          'finished episodes, the check-in, danmu, comments and shares.',
        tags: ['progression'],
        security: sessionRequired,
        response: { 200: DailyTaskListSchema, 401: unauthorized, 403: refused },
      },
    },
    async (request) => {
      const { day, items } = await store.tasks(guard.userOf(request).id, now());
      return {
        day,
        items: items.map((item) => ({
          ...item,
          name: dailyTasks.find((task) => task.id === item.id)!.name,
        })),
      };
    },
  );

  typed.post(
    '/me/tasks/:taskId/claim',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Claim a completed daily task’s points',
        tags: ['progression'],
        security: sessionRequired,
        params: Type.Object({ taskId: TaskIdParam }),
        response: {
          200: TaskClaimReceiptSchema,
          401: unauthorized,
          403: refused,
          404: problemResponse('TASK_NOT_FOUND'),
          409: problemResponse('TASK_NOT_COMPLETED', 'TASK_ALREADY_CLAIMED'),
        },
      },
    },
    async (request) => {
      try {
        return await store.claimTask(guard.userOf(request).id, request.params.taskId, now());
      } catch (error) {
        if (error instanceof TaskNotFoundError)
          throw new AppError('TASK_NOT_FOUND', `No daily task ${request.params.taskId}`);
        if (error instanceof TaskNotCompletedError)
          throw new AppError(
            'TASK_NOT_COMPLETED',
            `${error.taskId} is at ${error.progress} of ${error.goal}`,
          );
        if (error instanceof TaskAlreadyClaimedError)
          throw new AppError('TASK_ALREADY_CLAIMED', `${error.taskId} was claimed on ${error.day}`);
        throw error;
      }
    },
  );
}
