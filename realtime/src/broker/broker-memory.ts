import { createMemoryHistory } from '../recovery/history-memory.ts';
import type { ChannelHistoryOptions } from '../recovery/history.ts';
import type { AnnouncementHandler, Broker } from './broker.ts';

/**
 * The embedded broker: history in memory and announcements as direct calls. Appends to one
 * channel are assigned offsets in call order and announced in the same order, synchronously after
 * the append settles, so followers never see a gap here.
 */
export function createMemoryBroker(options: ChannelHistoryOptions): Broker {
  const history = createMemoryHistory(options);
  const followers = new Map<string, AnnouncementHandler>();
  let closed = false;

  function deliver(channel: string, epoch: string | null, offset: number | null, data: Uint8Array) {
    const handler = followers.get(channel);
    if (handler === undefined) return;
    try {
      handler({ channel, epoch, offset, data });
    } catch {
      // A follower's bug must not fail the publisher's request; the gateway logs its own errors.
    }
  }

  return {
    kind: 'memory',
    history,

    async publish(channel, data, publishOptions) {
      if (closed) throw new Error('broker is closed');
      const result = await history.append(channel, data, publishOptions);
      if (!result.duplicate) deliver(channel, result.epoch, result.offset, data);
      return result;
    },

    async announce(channel, data) {
      if (closed) throw new Error('broker is closed');
      deliver(channel, null, null, data);
    },

    async follow(channel, handler) {
      followers.set(channel, handler);
    },

    async unfollow(channel) {
      followers.delete(channel);
    },

    onLoss() {
      // Nothing in one process can lose an announcement.
    },

    async close() {
      closed = true;
      followers.clear();
      await history.close();
    },
  };
}
