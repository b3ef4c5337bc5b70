import type { EngagementStore } from '../engagement/store.ts';

/** Follow up (追剧) on a series, or stop, through the engagement store as a device would. */
export function followUps(engagement: EngagementStore) {
  let wallMs = 1_700_000_000_000;
  const write = (userId: number, seriesId: number, present: boolean) =>
    engagement.write(userId, {
      kind: 'follow_up',
      targetType: 'series',
      targetId: seriesId,
      present,
      hlc: { wallMs: (wallMs += 1), counter: 0, node: 'phone' },
    });
  return {
    follow: (userId: number, seriesId: number) => write(userId, seriesId, true),
    unfollow: (userId: number, seriesId: number) => write(userId, seriesId, false),
  };
}
