/**
 * Link unfurlers and crawlers: the fetchers chat apps, social networks and search engines send to
 * a pasted link to build its preview card. They get the card like anyone, but their fetch is not a
 * person opening the link, so it is not counted as an open.
 *
 * Matched anywhere in the User-Agent, case-insensitively. The in-app browsers of WeChat
 * (`MicroMessenger/8.x` after a browser UA), Weibo, Telegram or Line are people and are not
 * listed; WeChat's own fetcher identifies as plain `MicroMessenger Client`.
 */
const unfurlerTokens = [
  // Chat apps and social networks building previews.
  'facebookexternalhit',
  'Facebot',
  'meta-externalagent',
  'Twitterbot',
  'Slackbot',
  'Slack-ImgProxy',
  'TelegramBot',
  'WhatsApp',
  'Discordbot',
  'LinkedInBot',
  'SkypeUriPreview',
  'Pinterestbot',
  'redditbot',
  'vkShare',
  'Iframely',
  'Embedly',
  'Mastodon',
  'Bluesky',
  'Cardyb',
  'Snap URL Preview',
  'MicroMessenger Client',
  // Search engines, Chinese ones included.
  'Googlebot',
  'bingbot',
  'Applebot',
  'Baiduspider',
  'Sogou',
  'YisouSpider',
  '360Spider',
  'Bytespider',
  'YandexBot',
  'DuckDuckBot',
];

const unfurlerPattern = new RegExp(
  unfurlerTokens.map((token) => token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
  'i',
);

/** Whether a request comes from a link unfurler or crawler; no User-Agent at all counts as one. */
export function isLinkUnfurler(userAgent: string | undefined): boolean {
  if (userAgent === undefined || userAgent.trim() === '') return true;
  return unfurlerPattern.test(userAgent);
}
