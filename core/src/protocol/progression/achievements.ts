/**
 * The achievement catalogue: what a viewer can earn, each once (user_achievements' primary key),
 * with the goal its progress is measured against. Browser-safe: the web client shows names,
 * descriptions and progress bars from it; the server evaluates each achievement when the activity
 * it names happens (core/src/progression).
 */
import type { LocalizedText } from '../catalog.ts';

/** What a user did that may move their experience, tasks and achievements. */
export const activityKinds = [
  'watch',
  'check_in',
  'danmu',
  'comment',
  'follow_up',
  'share',
] as const;
export type ActivityKind = (typeof activityKinds)[number];

export interface AchievementDefinition {
  code: string;
  name: LocalizedText;
  description: LocalizedText;
  /** Progress needed; progress is a count (episodes, days, danmu ...) or, for time, minutes. */
  goal: number;
  /** The activity that can complete it, i.e. when it is evaluated. */
  activity: ActivityKind;
  /** Experience granted with it. */
  xp: number;
}

export const achievements = [
  {
    code: 'first_binge',
    name: { zh: '初次追剧', en: 'First binge' },
    description: {
      zh: '看完同一部剧的 3 集',
      en: 'Finish 3 episodes of one series',
    },
    goal: 3,
    activity: 'watch',
    xp: 20,
  },
  {
    code: 'marathon_day',
    name: { zh: '一口气看完', en: 'Marathon day' },
    description: { zh: '一天内观看满 60 分钟', en: 'Watch 60 minutes in one day' },
    goal: 60,
    activity: 'watch',
    xp: 30,
  },
  {
    code: 'episodes_50',
    name: { zh: '剧迷', en: 'Drama fan' },
    description: { zh: '累计看完 50 集', en: 'Finish 50 episodes' },
    goal: 50,
    activity: 'watch',
    xp: 50,
  },
  {
    code: 'check_in_streak_7',
    name: { zh: '七日打卡', en: 'Seven-day streak' },
    description: { zh: '连续签到 7 天', en: 'Check in 7 days in a row' },
    goal: 7,
    activity: 'check_in',
    xp: 30,
  },
  {
    code: 'danmu_100',
    name: { zh: '弹幕达人', en: 'Danmu regular' },
    description: { zh: '累计发送 100 条弹幕', en: 'Send 100 danmu' },
    goal: 100,
    activity: 'danmu',
    xp: 30,
  },
  {
    code: 'first_comment',
    name: { zh: '初次发言', en: 'First comment' },
    description: { zh: '发表第一条评论', en: 'Post your first comment' },
    goal: 1,
    activity: 'comment',
    xp: 10,
  },
  {
    code: 'follow_ups_10',
    name: { zh: '追剧狂人', en: 'Following ten' },
    description: { zh: '同时追 10 部剧', en: 'Follow up 10 series' },
    goal: 10,
    activity: 'follow_up',
    xp: 20,
  },
  {
    code: 'first_share',
    name: { zh: '好剧分享', en: 'First share' },
    description: { zh: '第一次分享剧集', en: 'Share an episode or a series' },
    goal: 1,
    activity: 'share',
    xp: 10,
  },
] as const satisfies readonly AchievementDefinition[];

export type AchievementCode = (typeof achievements)[number]['code'];

export function isAchievementCode(value: unknown): value is AchievementCode {
  return typeof value === 'string' && achievements.some((a) => a.code === value);
}

/** The achievements an activity may complete, in catalogue order. */
export function achievementsOf(activity: ActivityKind): AchievementDefinition[] {
  return achievements.filter((a) => a.activity === activity);
}
