import type { BlockedUser, ChatMessage, DirectMessage, List } from '@binge/core/protocol/catalog';
import type {
  IdentityList,
  OAuthCallbackResult,
  OAuthProviderName,
  OAuthStart,
  SessionList,
} from '@binge/core/protocol/accounts';
import type {
  Comment,
  CommentLikeState,
  CommentOrder,
  CommentPage,
  ReplyPage,
} from '@binge/core/protocol/discussion';
import type {
  AchievementList,
  CheckInCalendarView,
  CheckInReceipt,
  DailyTaskList,
  PublicProfile,
  TaskClaimReceipt,
} from '@binge/core/protocol/progression/responses';
import type { PointsBalance } from '@binge/core/protocol/points/responses';
import { session } from '$lib/session/session.svelte.ts';
import type { NotificationPage } from './notification-inbox.ts';
import type { ReportReason, ReportTargetType } from './report-reasons.ts';

/**
 * The social routes of the API (README "API"), typed with the wire types of core/src/protocol and
 * called through the session (guest first, refreshed as needed). Every failure is an ApiProblem
 * with the problem's code.
 */
const json = (body: unknown): RequestInit => ({ body: JSON.stringify(body) });
const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

export interface UserEdgePage {
  items: Array<{ userId: number }>;
  nextCursor: string | null;
}

export interface EngagementWrite {
  present: boolean;
  count: number;
  applied: boolean;
}

export const socialApi = {
  comments: (episodeId: number, order: CommentOrder, cursor?: string) =>
    session.api<CommentPage>(
      `/episodes/${episodeId}/comments${query({ order, cursor, limit: 20 })}`,
    ),
  replies: (commentId: string, cursor?: string) =>
    session.api<ReplyPage>(`/comments/${commentId}/replies${query({ cursor, limit: 20 })}`),
  postComment: (episodeId: number, body: { body: string; parentId?: string; cmid: string }) =>
    session.api<Comment>(`/episodes/${episodeId}/comments`, { method: 'POST', ...json(body) }),
  deleteComment: (commentId: string) =>
    session.api<void>(`/comments/${commentId}`, { method: 'DELETE' }),
  likeComment: (commentId: string, liked: boolean) =>
    session.api<CommentLikeState>(`/comments/${commentId}/like`, {
      method: liked ? 'PUT' : 'DELETE',
    }),
  report: (body: {
    targetType: ReportTargetType;
    targetId: string;
    reason: ReportReason;
    detail?: string;
  }) => session.api<unknown>('/reports', { method: 'POST', ...json(body) }),

  roomChat: (roomId: number) => session.api<List<ChatMessage>>(`/rooms/${roomId}/chat?limit=100`),
  dms: () => session.api<List<DirectMessage>>('/me/dms?limit=500'),
  blocks: () => session.api<List<BlockedUser>>('/me/blocks?limit=500'),
  setBlocked: (userId: number, blocked: boolean) =>
    session.api<void>(`/me/blocks/${userId}`, { method: blocked ? 'PUT' : 'DELETE' }),

  notifications: (cursor?: string, limit = 20) =>
    session.api<NotificationPage>(`/me/notifications${query({ cursor, limit })}`),
  markNotificationsRead: (ids?: readonly string[]) =>
    session.api<void>('/me/notifications/read', {
      method: 'POST',
      ...json(ids === undefined ? {} : { ids }),
    }),

  user: (userId: number) => session.api<PublicProfile>(`/users/${userId}`),
  myProfile: () => session.api<PublicProfile>('/me/profile'),
  achievements: (userId: number | 'me') =>
    session.api<AchievementList>(
      userId === 'me' ? '/me/achievements' : `/users/${userId}/achievements`,
    ),
  followers: (userId: number, cursor?: string) =>
    session.api<UserEdgePage>(`/users/${userId}/followers${query({ cursor, limit: 20 })}`),
  following: (userId: number, cursor?: string) =>
    session.api<UserEdgePage>(`/users/${userId}/following${query({ cursor, limit: 20 })}`),
  followState: (userId: number) =>
    session.api<{ items: Array<{ targetId: number; present: boolean; count: number }> }>(
      `/me/follow/user?ids=${userId}`,
    ),
  setFollow: (userId: number, follow: boolean) =>
    session.api<EngagementWrite>(`/me/follow/user/${userId}`, {
      method: follow ? 'PUT' : 'DELETE',
    }),

  sessions: () => session.api<SessionList>('/me/sessions'),
  endSession: (id: string) =>
    session.api<void>(`/me/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  signOutEverywhere: () => session.api<void>('/auth/logout-all', { method: 'POST' }),
  identities: () => session.api<IdentityList>('/me/identities'),
  linkPhone: (phone: string, code: string) =>
    session.api<IdentityList>('/me/identities/phone', { method: 'POST', ...json({ phone, code }) }),

  oauthStart: (provider: OAuthProviderName, returnTo: string | null) =>
    session.api<OAuthStart>(
      `/auth/oauth/${provider}/start${query({ returnTo: returnTo ?? undefined })}`,
    ),
  oauthCallback: (provider: string, search: string) =>
    session.api<OAuthCallbackResult>(
      `/auth/oauth/${encodeURIComponent(provider)}/callback${search}`,
    ),

  checkInCalendar: (month?: string) =>
    session.api<CheckInCalendarView>(`/me/check-in${query({ month })}`),
  checkIn: () => session.api<CheckInReceipt>('/me/check-in', { method: 'POST' }),
  tasks: () => session.api<DailyTaskList>('/me/tasks'),
  claimTask: (taskId: string) =>
    session.api<TaskClaimReceipt>(`/me/tasks/${encodeURIComponent(taskId)}/claim`, {
      method: 'POST',
    }),
  points: () => session.api<PointsBalance>('/me/points'),
};
