import { topics, type Bus, type MediaProgressMessage, type NotifyMessage } from '../bus/bus.ts';
import type { Logger } from '../log/logger.ts';
import type { NotificationStore } from './store.ts';

export interface EpisodeReminders {
  /** Unsubscribes, then waits for the episodes already being handled (before the store closes). */
  close(): Promise<void>;
}

export interface EpisodeRemindersDeps {
  bus: Bus;
  store: NotificationStore;
  logger: Logger;
}

/** The bus message that pushes one stored notification; `n<id>` is unique per notification. */
export function notifyMessageOf(notification: {
  id: number;
  userId: number;
  kind: string;
  text: string;
  url: string | null;
  createdAt: Date;
}): NotifyMessage {
  return {
    id: `n${notification.id}`,
    userId: notification.userId,
    kind: notification.kind,
    text: notification.text,
    ...(notification.url === null ? {} : { url: notification.url }),
    ts: notification.createdAt.getTime(),
  };
}

/**
 * Update reminders for follow-ups (追剧, issue 4 item 4): when the media worker reports an
 * episode 'done', every follower of its series gets an `episode.new` notification in their inbox,
 * and one `notify` message per notification reaches the gateway, which pushes it to their online
 * devices and keeps it in `notify:<userId>`.
 *
 * Every process running this reactor hears the same 'done' (the bus fans out), and a re-transcoded
 * episode reports 'done' again; the store inserts each (follower, episode) notification once and
 * returns it only to the caller that inserted it, so each is pushed exactly once.
 */
export async function createEpisodeReminders(
  deps: EpisodeRemindersDeps,
): Promise<EpisodeReminders> {
  const { bus, store, logger } = deps;
  const pending = new Set<Promise<void>>();

  async function remind(episodeId: number): Promise<void> {
    const created = await store.notifyFollowersOfEpisode(episodeId);
    for (const notification of created)
      await bus.publish(topics.notify, notifyMessageOf(notification));
    if (created.length > 0)
      logger.info({ episodeId, followers: created.length }, 'new-episode reminders sent');
  }

  const unsubscribe = await bus.subscribe<MediaProgressMessage>(topics.mediaProgress, (message) => {
    if (message?.stage !== 'done') return;
    const { episodeId } = message;
    if (!Number.isInteger(episodeId) || episodeId < 1 || episodeId > 2_147_483_647) {
      logger.warn({ message }, 'media progress without a valid episode id ignored');
      return;
    }
    const work = remind(episodeId)
      .catch((error: unknown) =>
        logger.error({ err: error, episodeId }, 'new-episode reminders failed'),
      )
      .finally(() => pending.delete(work));
    pending.add(work);
  });

  let closing: Promise<void> | null = null;
  return {
    close: () =>
      (closing ??= (async () => {
        await unsubscribe();
        await Promise.allSettled([...pending]);
      })()),
  };
}
