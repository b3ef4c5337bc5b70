/**
 * The daily tasks: a goal for one UTC day and the points its reward credits, claimed once per day
 * (task_claims). Browser-safe: the web client lists them with the progress `GET /me/tasks` reports.
 *
 * Each task measures one metric of the day, read from what the user did (watch_days, check_ins,
 * danmu, comments, shares), never from a counter the client could inflate.
 */
import type { LocalizedText } from '../catalog.ts';

export const taskMetrics = [
  'watch_seconds',
  'episodes_completed',
  'checked_in',
  'danmu',
  'comments',
  'shares',
] as const;
export type TaskMetric = (typeof taskMetrics)[number];

export interface DailyTaskDefinition {
  id: string;
  name: LocalizedText;
  metric: TaskMetric;
  /** The metric's value that completes the task (seconds for watch time). */
  goal: number;
  /** Points credited when the reward is claimed. */
  points: number;
}

export const dailyTasks = [
  {
    id: 'check_in',
    name: { zh: '每日签到', en: 'Check in' },
    metric: 'checked_in',
    goal: 1,
    points: 5,
  },
  {
    id: 'watch_10',
    name: { zh: '观看 10 分钟', en: 'Watch 10 minutes' },
    metric: 'watch_seconds',
    goal: 600,
    points: 10,
  },
  {
    id: 'watch_30',
    name: { zh: '观看 30 分钟', en: 'Watch 30 minutes' },
    metric: 'watch_seconds',
    goal: 1_800,
    points: 20,
  },
  {
    id: 'finish_3',
    name: { zh: '看完 3 集', en: 'Finish 3 episodes' },
    metric: 'episodes_completed',
    goal: 3,
    points: 15,
  },
  {
    id: 'danmu_5',
    name: { zh: '发送 5 条弹幕', en: 'Send 5 danmu' },
    metric: 'danmu',
    goal: 5,
    points: 10,
  },
  {
    id: 'comment_1',
    name: { zh: '发表 1 条评论', en: 'Post a comment' },
    metric: 'comments',
    goal: 1,
    points: 10,
  },
  {
    id: 'share_1',
    name: { zh: '分享 1 次', en: 'Share once' },
    metric: 'shares',
    goal: 1,
    points: 10,
  },
] as const satisfies readonly DailyTaskDefinition[];

export type DailyTaskId = (typeof dailyTasks)[number]['id'];

export function dailyTaskOf(id: string): DailyTaskDefinition | undefined {
  return dailyTasks.find((task) => task.id === id);
}
