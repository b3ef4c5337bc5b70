/**
 * Wire types of share links (`POST /api/v1/shares`, `GET /api/v1/shares/{code}`, `/s/{code}`).
 * Browser-safe: no Node imports.
 */

export const shareTargetTypes = ['episode', 'series'] as const;
export type ShareTargetType = (typeof shareTargetTypes)[number];

/**
 * Where the link is being sent, as the client's share sheet knows it; `link` when the viewer just
 * copied it. Stored for the sharer's statistics, never shown to anyone else.
 */
export const shareChannels = [
  'link',
  'system',
  'wechat',
  'moments',
  'weibo',
  'qq',
  'douyin',
  'telegram',
  'whatsapp',
  'twitter',
  'facebook',
  'line',
  'slack',
  'discord',
  'email',
  'sms',
  'other',
] as const;
export type ShareChannel = (typeof shareChannels)[number];

/** Share codes: 10 characters of [A-Za-z0-9], about 59.5 random bits. */
export const shareCodePattern = /^[A-Za-z0-9]{10}$/;

export interface ShareLink {
  code: string;
  /** The absolute link to send: `<PUBLIC_URL>/s/<code>`. */
  url: string;
  targetType: ShareTargetType;
  targetId: number;
  channel: ShareChannel;
  createdAt: string;
}

/** The sharer's view of a link: how often people opened it (crawlers and repeats left out). */
export interface ShareStats extends ShareLink {
  opens: number;
}
