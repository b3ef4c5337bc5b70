/**
 * The one entry point other modules call when a user did something that may earn experience or
 * an achievement: `await progression.record({ userId, kind: 'comment' })` after the comment is
 * stored. It records through the ProgressionStore (everything granted once per key) and pushes
 * each new achievement's notification on the bus topic `notify`, which the realtime gateway
 * delivers on `notify:<userId>` to the user's online devices (as episode reminders are pushed,
 * core/src/notifications/episode-reminders.ts). The inbox row is written with the award, in its
 * transaction, so a push lost with the process still leaves the notification in the inbox.
 */
import { topics, type Bus } from '../bus/bus.ts';
import type { Logger } from '../log/logger.ts';
import { notifyMessageOf } from '../notifications/episode-reminders.ts';
import type { Activity, ActivityOutcome, ProgressionStore } from './store.ts';

export interface Progression {
  readonly store: ProgressionStore;
  /** Records an activity and announces the achievements it awarded. */
  record(activity: Activity, now?: Date): Promise<ActivityOutcome>;
  /**
   * Pushes the notifications of achievements awarded elsewhere (a progress write records watch
   * time in its own transaction, a check-in in its own); never throws: a failed push is logged,
   * and the inbox already holds the notification.
   */
  announce(outcome: Pick<ActivityOutcome, 'awarded'>): Promise<void>;
}

export interface ProgressionDeps {
  store: ProgressionStore;
  /** Without a bus nothing is pushed live; the notifications still wait in the inbox. */
  bus?: Bus;
  logger?: Logger;
}

export function createProgression(deps: ProgressionDeps): Progression {
  const { store, bus, logger } = deps;

  async function announce(outcome: Pick<ActivityOutcome, 'awarded'>): Promise<void> {
    if (bus === undefined) return;
    for (const { code, notification } of outcome.awarded) {
      if (notification === null) continue;
      try {
        await bus.publish(topics.notify, notifyMessageOf(notification));
      } catch (error) {
        logger?.warn({ err: error, code, userId: notification.userId }, 'achievement push failed');
      }
    }
  }

  return {
    store,
    announce,
    async record(activity, now) {
      const outcome = await store.record(activity, now);
      await announce(outcome);
      return outcome;
    },
  };
}
